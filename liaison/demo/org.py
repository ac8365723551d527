"""Step 1 of the demo: the organisation of 池州市 — regions, people's congress bodies, stations, handling units
(and, through `people.add_deputies`, the deputies), generated to a realistic size (~620 stations, ~5,000 deputies).

Real names: the five county-level units, their townships, and the villages 缘溪村 (仁里镇), 新棚村 (七都镇),
龙山村 and 东庄村 (小河镇). Everything else (other village names, people, phones) is generated.
"""

import hashlib
import math
import random
from decimal import Decimal

from django.db import transaction

from liaison.org.models import Body, Category, HandlingUnit, Region, Station

from .people import add_deputies, person

SEED = 2023

CITY = ("341700", "池州市", 1_330_000)
# (code, name, population, station target, joint stations, townships)
COUNTIES = [
    (
        "341702",
        "贵池区",
        640_000,
        170,
        45,
        [
            "池阳街道",
            "秋浦街道",
            "里山街道",
            "江口街道",
            "马衙街道",
            "墩上街道",
            "梅龙街道",
            "梅里镇",
            "殷汇镇",
            "牛头山镇",
            "涓桥镇",
            "梅街镇",
            "棠溪镇",
            "乌沙镇",
            "唐田镇",
            "牌楼镇",
        ],
    ),
    (
        "341721",
        "东至县",
        470_000,
        228,
        0,
        [
            "尧渡镇",
            "东流镇",
            "大渡口镇",
            "胜利镇",
            "张溪镇",
            "洋湖镇",
            "葛公镇",
            "香隅镇",
            "官港镇",
            "昭潭镇",
            "泥溪镇",
            "龙泉镇",
            "木塔乡",
            "青山乡",
            "花园里乡",
        ],
    ),
    (
        "341722",
        "石台县",
        100_000,
        82,
        0,
        ["仁里镇", "七都镇", "仙寓镇", "丁香镇", "小河镇", "横渡镇", "大演乡", "矶滩乡"],
    ),
    (
        "341723",
        "青阳县",
        230_000,
        130,
        0,
        ["蓉城镇", "木镇镇", "庙前镇", "陵阳镇", "新河镇", "丁桥镇", "朱备镇", "杨田镇", "酉华镇", "杜村乡", "乔木乡"],
    ),
    # 九华山风景区 is a management area without its own official division code; 341799 is a placeholder.
    ("341799", "九华山风景区", 25_000, 10, 0, ["九华镇", "九华乡"]),
]
NAMED_VILLAGES = {"仁里镇": ["缘溪村"], "七都镇": ["新棚村"], "小河镇": ["龙山村", "东庄村"]}

DEFAULT_CATEGORIES = [
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
    "农业农村",
    "其他",
]
COUNTY_DEPARTMENTS = [
    ("ZJJ", "住房和城乡建设局", ["城乡建设"]),
    ("ZRZY", "自然资源和规划局", ["城乡建设"]),
    ("SLJ", "水利局", ["农业农村", "城乡建设"]),
    ("STHJ", "生态环境分局", ["环境保护"]),
    ("JTJ", "交通运输局", ["交通运输"]),
    ("JTJ2", "教育体育局", ["教育文体"]),
    ("RSJ", "人力资源和社会保障局", ["劳动和社会保障"]),
    ("MZJ", "民政局", ["劳动和社会保障"]),
    ("SWJ", "商务局", ["商贸旅游"]),
    ("WLJ", "文化旅游体育局", ["商贸旅游", "教育文体"]),
    ("WJW", "卫生健康委员会", ["卫生计生"]),
    ("NYJ", "农业农村局", ["农业农村"]),
    ("GDGS", "供电公司", ["城乡建设"]),
    ("XFJ", "信访局", ["其他"]),
]
VILLAGE_CHARS = (
    "安白柏板宝碧曹茶长陈城赤崇川春大丹稻德东丰凤福高葛沟古官广桂河和红洪湖花华黄槐汇吉江金锦九居康兰老里莲梁林岭"
    "刘龙芦路罗马梅明南宁潘平坪桥清秋泉仁山上石双水松唐塘天田亭湾王旺望溪霞仙香祥小新兴杏秀许阳杨姚叶义银永渔玉园"
    "源月云枣张章中朱竹"
)


def _village_names(rng: random.Random, township: str, n: int) -> list[str]:
    names = list(NAMED_VILLAGES.get(township, []))
    seen = set(names)
    while len(names) < n:
        suffix = "社区" if township.endswith("街道") or rng.random() < 0.12 else "村"
        name = rng.choice(VILLAGE_CHARS) + rng.choice(VILLAGE_CHARS) + suffix
        if name not in seen and name[0] != name[1]:
            seen.add(name)
            names.append(name)
    return names[:n] if n >= len(NAMED_VILLAGES.get(township, [])) else names


def ensure_categories() -> dict[str, Category]:
    for i, name in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(parent=None, name=name, defaults={"sort": i})
    return {c.name: c for c in Category.objects.filter(parent=None)}


# Approximate centres (latitude, longitude) of the counties; townships sit on a ring around the seat, villages a few
# kilometres around their township: plausible places for the demo's stations, not surveyed ones.
COUNTY_CENTRES = {
    "341702": (30.657, 117.476),
    "341721": (30.097, 117.027),
    "341722": (30.210, 117.483),
    "341723": (30.639, 117.847),
    "341799": (30.482, 117.805),
}


def _spread(code: str) -> float:
    """A fraction in [0, 1) drawn from a region code (deterministic, leaves the demo's random sequence alone)."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) / 0x100000000


def place_of(village: Region, township_index: int, townships: int) -> tuple[Decimal, Decimal]:
    county_code = village.code[:6]
    lat, lng = COUNTY_CENTRES.get(county_code, (30.66, 117.49))
    if township_index:  # the first township is the county seat, at the centre
        angle = 2 * math.pi * township_index / townships
        ring = 0.06 if county_code == "341799" else 0.13
        lat, lng = lat + ring * math.sin(angle), lng + ring * math.cos(angle) / math.cos(math.radians(lat))
    angle, radius = 2 * math.pi * _spread(village.code), 0.008 + 0.03 * _spread(village.code[::-1])
    lat, lng = lat + radius * math.sin(angle), lng + radius * math.cos(angle)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


@transaction.atomic
def load_org() -> str:
    rng = random.Random(SEED)
    categories = ensure_categories()
    city = Region(code=CITY[0], name=CITY[1], level=Region.Level.CITY, population=CITY[2], path=CITY[0] + "/")
    city.save()
    Body.objects.create(name="池州市人大常委会", kind=Body.Kind.CITY_SC, region=city)

    counties, townships, villages, station_specs = [], [], [], []
    for code, name, population, n_stations, n_joint, township_names in COUNTIES:
        county = Region(
            code=code,
            name=name,
            level=Region.Level.COUNTY,
            parent=city,
            population=population,
            path=city.path + code + "/",
        )
        counties.append(county)
        # Split the county's stations over its townships, named villages first.
        per = [n_stations // len(township_names)] * len(township_names)
        for i in range(n_stations - sum(per)):
            per[i] += 1
        joint_left = n_joint
        for t_index, (t_name, t_stations) in enumerate(zip(township_names, per, strict=True)):
            t_code = f"{code}{100 + t_index:03d}"
            township = Region(
                code=t_code,
                name=t_name,
                level=Region.Level.TOWNSHIP,
                parent=county,
                population=None,
                path=county.path + t_code + "/",
            )
            townships.append(township)
            joint_here = min(joint_left, t_stations // 3) if n_joint else 0
            joint_left -= joint_here
            n_villages = t_stations + joint_here + (joint_here // 3)
            names = _village_names(rng, t_name, n_villages)
            t_villages = []
            for v_index, v_name in enumerate(names):
                v_code = f"{t_code}{200 + v_index:03d}"
                village = Region(
                    code=v_code,
                    name=v_name,
                    level=Region.Level.VILLAGE,
                    parent=township,
                    population=rng.randint(800, 4500),
                    path=township.path + v_code + "/",
                )
                villages.append(village)
                t_villages.append(village)
            # Group villages into stations: the first `joint_here` stations cover 2 (some 3) villages.
            pos = 0
            for s_index in range(t_stations):
                size = 1
                if s_index < joint_here:
                    size = 3 if s_index < joint_here // 3 else 2
                group = t_villages[pos : pos + size] or t_villages[-1:]
                pos += size
                station_specs.append((group, place_of(group[0], t_index, len(township_names))))
    Region.objects.bulk_create(counties)
    Region.objects.bulk_create(townships)
    Region.objects.bulk_create(villages)
    by_code = {r.code: r for r in Region.objects.all()}

    for county in counties:
        Body.objects.create(name=f"{county.name}人大常委会", kind=Body.Kind.COUNTY_SC, region=by_code[county.code])
    Body.objects.bulk_create(
        [Body(name=f"{t.name}人大主席团", kind=Body.Kind.TOWNSHIP_PRESIDIUM, region=by_code[t.code]) for t in townships]
    )

    stations = []
    for group, (latitude, longitude) in station_specs:
        main = by_code[group[0].code]
        name = "、".join(v.name for v in group) + ("联合" if len(group) > 1 else "") + "人大代表联络站"
        stations.append(
            Station(
                code="ST" + main.code,
                name=name,
                region=main,
                address=f"{main.parent.name}{main.name}党群服务中心",
                reception_day=rng.choice([5, 10, 15, 20, 20, 20, 25]),
                head_name=person(rng),
                officer_name=person(rng),
                phone="0566-" + "".join(str(rng.randint(0, 9)) for _ in range(7)),
                latitude=latitude,
                longitude=longitude,
            )
        )
    Station.objects.bulk_create(stations)
    stations = list(Station.objects.select_related("region__parent__parent").order_by("code"))
    station_by_code = {s.code: s for s in stations}
    through = Station.villages.through
    through.objects.bulk_create(
        [
            through(station_id=station_by_code["ST" + group[0].code].id, region_id=by_code[v.code].id)
            for group, _ in station_specs
            for v in group
        ]
    )

    units = []
    for region in [city, *counties]:
        prefix = "池州市" if region.level == Region.Level.CITY else region.name
        for abbr, name, _ in COUNTY_DEPARTMENTS:
            units.append(HandlingUnit(code=f"U{region.code}-{abbr}", name=prefix + name, region=by_code[region.code]))
    for t in townships:
        units.append(
            HandlingUnit(
                code=f"U{t.code}-GOV", name=f"{t.name}人民政府", kind=HandlingUnit.Kind.TOWNSHIP, region=by_code[t.code]
            )
        )
    for v in villages:
        suffix = "居委会" if v.name.endswith("社区") else "村委会"
        units.append(
            HandlingUnit(
                code=f"U{v.code}-VC",
                name=f"{v.name}{suffix}",
                kind=HandlingUnit.Kind.VILLAGE_COMMITTEE,
                region=by_code[v.code],
            )
        )
    HandlingUnit.objects.bulk_create(units)
    unit_cat = HandlingUnit.categories.through
    dept_cats = {abbr: cats for abbr, _, cats in COUNTY_DEPARTMENTS}
    links = []
    for unit in HandlingUnit.objects.filter(kind=HandlingUnit.Kind.DEPARTMENT):
        for cat in dept_cats[unit.code.split("-")[1]]:
            links.append(unit_cat(handlingunit_id=unit.id, category_id=categories[cat].id))
    HandlingUnit.categories.through.objects.bulk_create(links)

    n_deputies = add_deputies(rng, stations, by_code, city)
    return (
        f"{Region.objects.count()} 个区域，{len(stations)} 个联络站，"
        f"{n_deputies} 名代表，{HandlingUnit.objects.count()} 个承办单位。"
    )
