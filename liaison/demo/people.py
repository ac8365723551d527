"""Generated people: names and phones, and the deputies of every station (part of step 1), and the demo accounts
(step 2) created from the shared cast in `cast.py`."""

import random

from django.db import transaction

from liaison.org.models import Deputy, Level, Mandate, Role, Station, Stationing

from .cast import ACCOUNTS, DEMO_PASSWORD, create_account

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢汪"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志春文斌海燕林峰波辉宁鹏飞云凤琴雪梅德胜"
EXPERTISE = [
    "田秀才",
    "乡创客",
    "法律明白人",
    "医疗卫生",
    "教育",
    "企业经营",
    "水利",
    "电商",
    "养殖",
    "茶叶种植",
    "退役军人",
]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def phone(rng: random.Random) -> str:
    return rng.choice(["139", "138", "137", "135", "151", "152", "158", "187", "180", "189"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(8)
    )


def add_deputies(rng: random.Random, stations: list[Station], by_code: dict, city) -> int:
    """About 8 deputies per station over five levels (some county deputies are township deputies too), with
    their mandates and stationings. Continues the organisation's random stream, so it runs right after it."""
    deputies, mandates_spec = [], []
    serial = 0
    for station in stations:
        village, township = station.region, station.region.parent
        for _ in range(rng.choice((7, 8, 8, 8, 9))):
            serial += 1
            roll = rng.random()
            if roll < 0.004:
                levels = [Level.NATIONAL]
            elif roll < 0.02:
                levels = [Level.PROVINCIAL]
            elif roll < 0.08:
                levels = [Level.CITY]
            elif roll < 0.20:
                levels = [Level.COUNTY, Level.TOWNSHIP]
            elif roll < 0.33:
                levels = [Level.COUNTY]
            else:
                levels = [Level.TOWNSHIP]
            tags = ",".join(rng.sample(EXPERTISE, rng.choice((0, 1, 1, 2))))
            deputies.append(
                Deputy(
                    code=f"D{serial:07d}",
                    name=person(rng),
                    gender=rng.choice("男男女"),
                    phone=phone(rng),
                    expertise=tags,
                    home_region=village,
                )
            )
            mandates_spec.append((serial, levels, station, township))
    Deputy.objects.bulk_create(deputies)
    deputy_ids = dict(Deputy.objects.values_list("code", "id"))
    mandates, stationings = [], []
    for serial, levels, station, township in mandates_spec:
        deputy_id = deputy_ids[f"D{serial:07d}"]
        for level in levels:
            region = {Level.TOWNSHIP: township, Level.COUNTY: township.parent}.get(level, city)
            term = "第十二届" if level == Level.TOWNSHIP else "第十八届" if level == Level.COUNTY else "第五届"
            mandates.append(
                Mandate(
                    deputy_id=deputy_id,
                    level=level,
                    region_id=by_code[region.code].id,
                    term=term,
                    electoral_unit=f"{station.region.name}选区",
                )
            )
        stationings.append(Stationing(deputy_id=deputy_id, station=station))
        if rng.random() < 0.03:  # a few deputies serve a second (neighbouring) station
            other = stations[(stations.index(station) + 1) % len(stations)]
            stationings.append(Stationing(deputy_id=deputy_id, station=other))
    Mandate.objects.bulk_create(mandates)
    Stationing.objects.bulk_create(stationings, ignore_conflicts=True)
    return len(deputies)


@transaction.atomic
def create_demo_accounts() -> str:
    """Step 2: the cast's accounts, all with DEMO_PASSWORD. The two deputy accounts take over the first two
    deputies of their station; `deputy` is made a county and township deputy, so both bodies can be tried."""
    for account in ACCOUNTS.values():
        if account.role != Role.DEPUTY:
            create_account(account, password=DEMO_PASSWORD)
            continue
        station = Station.objects.select_related("region__parent").get(code=account.scope)
        index = 0 if account.username == "deputy" else 1
        deputy = Deputy.objects.filter(stationings__station=station).order_by("code")[index]
        if account.username == "deputy":
            township = station.region.parent
            Mandate.objects.update_or_create(
                deputy=deputy, level=Level.COUNTY, defaults={"region": township.parent, "term": "第十八届"}
            )
            Mandate.objects.update_or_create(
                deputy=deputy, level=Level.TOWNSHIP, defaults={"region": township, "term": "第十二届"}
            )
        deputy.user = create_account(account, password=DEMO_PASSWORD, display_name=deputy.name)
        deputy.save(update_fields=["user"])
    return f"{len(ACCOUNTS)} 个演示账号，密码均为 {DEMO_PASSWORD}"
