"""The shared cast of users every test can use (see ARCHITECTURE.md, "Tests").

A small real-shaped organisation: 池州市 → 石台县 (仁里镇: 缘溪村, 桃坑村) and 东至县 (洋湖镇: 沙山村), with the
same codes as the demo, so the users play the demo accounts' parts (liaison/demo/cast.py: role and scope) under
short usernames of their own.
"""

from dataclasses import dataclass

from liaison.demo.cast import ACCOUNTS, create_account
from liaison.demo.org import ensure_categories
from liaison.org.models import (
    Body,
    Deputy,
    HandlingUnit,
    Level,
    Mandate,
    Region,
    Station,
    Stationing,
    User,
)

PASSWORD = "Test@pass-2026"


@dataclass
class Cast:
    city: Region
    shitai: Region
    renli: Region
    yuanxi: Region
    taokeng: Region
    dongzhi: Region
    yanghu: Region
    shashan: Region
    station: Station  # 缘溪村 station (石台县)
    station_b: Station  # 桃坑村 station (石台县)
    other_station: Station  # 沙山村 station (东至县)
    county_body: Body
    township_body: Body
    city_body: Body
    unit: HandlingUnit  # 石台县住建局
    unit_b: HandlingUnit  # 石台县交通运输局
    other_unit: HandlingUnit  # 东至县住建局
    village_unit: HandlingUnit  # 缘溪村村委会
    deputy: Deputy  # county + township deputy at 缘溪村
    deputy2: Deputy  # township deputy at 缘溪村
    other_deputy: Deputy  # at 沙山村
    categories: dict
    # users
    deputy_user: User
    deputy2_user: User
    head: User
    officer: User
    village: User
    staff: User  # 石台县人大常委会
    township_staff: User  # 仁里镇人大主席团
    city_staff: User
    unit_user: User
    unit_b_user: User
    leader: User  # 石台县 leader
    outsider: User  # 东至县 staff
    admin: User


def _region(code, name, level, parent=None, population=None):
    return Region.objects.create(code=code, name=name, level=level, parent=parent, population=population)


def _user(account: str, username: str, places: dict) -> User:
    """A user named `username` playing the demo account `account` (its role, in the same place)."""
    return create_account(ACCOUNTS[account], username=username, password=PASSWORD, display_name=username, places=places)


def make_cast() -> Cast:
    # get_or_create: transactional tests flush the categories the data migration created.
    categories = ensure_categories()
    city = _region("341700", "池州市", Region.Level.CITY)
    shitai = _region("341722", "石台县", Region.Level.COUNTY, city)
    renli = _region("341722100", "仁里镇", Region.Level.TOWNSHIP, shitai)
    yuanxi = _region("341722100200", "缘溪村", Region.Level.VILLAGE, renli, 2100)
    taokeng = _region("341722100201", "桃坑村", Region.Level.VILLAGE, renli, 1500)
    dongzhi = _region("341721", "东至县", Region.Level.COUNTY, city)
    yanghu = _region("341721105", "洋湖镇", Region.Level.TOWNSHIP, dongzhi)
    shashan = _region("341721105200", "沙山村", Region.Level.VILLAGE, yanghu, 1800)

    def station(code, village):
        s = Station.objects.create(code=code, name=f"{village.name}人大代表联络站", region=village, reception_day=20)
        s.villages.set([village])
        return s

    st, st_b, st_o = (
        station("ST341722100200", yuanxi),
        station("ST341722100201", taokeng),
        station("ST341721105200", shashan),
    )
    city_body = Body.objects.create(name="池州市人大常委会", kind=Body.Kind.CITY_SC, region=city)
    county_body = Body.objects.create(name="石台县人大常委会", kind=Body.Kind.COUNTY_SC, region=shitai)
    Body.objects.create(name="东至县人大常委会", kind=Body.Kind.COUNTY_SC, region=dongzhi)
    township_body = Body.objects.create(name="仁里镇人大主席团", kind=Body.Kind.TOWNSHIP_PRESIDIUM, region=renli)

    unit = HandlingUnit.objects.create(code="U341722-ZJJ", name="石台县住房和城乡建设局", region=shitai)
    unit.categories.set([categories["城乡建设"]])
    unit_b = HandlingUnit.objects.create(code="U341722-JTJ", name="石台县交通运输局", region=shitai)
    unit_b.categories.set([categories["交通运输"]])
    other_unit = HandlingUnit.objects.create(code="U341721-ZJJ", name="东至县住房和城乡建设局", region=dongzhi)
    village_unit = HandlingUnit.objects.create(
        code="U341722100200-VC", name="缘溪村村委会", region=yuanxi, kind=HandlingUnit.Kind.VILLAGE_COMMITTEE
    )

    def deputy(code, name, home, levels, stations, user):
        d = Deputy.objects.create(code=code, name=name, phone="13912345678", home_region=home, user=user)
        for level, region in levels:
            Mandate.objects.create(deputy=d, level=level, region=region, term="第十八届")
        for s in stations:
            Stationing.objects.create(deputy=d, station=s)
        return d

    # Everything above by code: the scopes the accounts of liaison/demo/cast.py name.
    regions = (city, shitai, renli, yuanxi, taokeng, dongzhi, yanghu, shashan)
    places = {p.code: p for p in (*regions, st, st_b, st_o, unit, unit_b, other_unit, village_unit)}
    deputy_user, deputy2_user = _user("deputy", "deputy", places), _user("deputy2", "deputy2", places)
    d1 = deputy("D0000001", "王建国", yuanxi, [(Level.COUNTY, shitai), (Level.TOWNSHIP, renli)], [st], deputy_user)
    d2 = deputy("D0000002", "李秀英", yuanxi, [(Level.TOWNSHIP, renli)], [st], deputy2_user)
    d3 = deputy("D0000003", "张伟", shashan, [(Level.COUNTY, dongzhi)], [st_o], None)

    # A bare superuser: no membership.
    admin = create_account(ACCOUNTS["admin"], username="admin", password=PASSWORD, display_name="", membership=False)
    return Cast(
        city=city,
        shitai=shitai,
        renli=renli,
        yuanxi=yuanxi,
        taokeng=taokeng,
        dongzhi=dongzhi,
        yanghu=yanghu,
        shashan=shashan,
        station=st,
        station_b=st_b,
        other_station=st_o,
        county_body=county_body,
        township_body=township_body,
        city_body=city_body,
        unit=unit,
        unit_b=unit_b,
        other_unit=other_unit,
        village_unit=village_unit,
        deputy=d1,
        deputy2=d2,
        other_deputy=d3,
        categories=categories,
        deputy_user=deputy_user,
        deputy2_user=deputy2_user,
        head=_user("station_head", "head", places),
        officer=_user("liaison", "officer", places),
        village=_user("village", "village", places),
        staff=_user("shitai_staff", "staff", places),
        township_staff=_user("renli_staff", "township_staff", places),
        city_staff=_user("city_staff", "city_staff", places),
        unit_user=_user("unit_zjj", "unit", places),
        unit_b_user=_user("unit_jtj", "unit_b", places),
        leader=_user("shitai_leader", "leader", places),
        outsider=_user("dongzhi_staff", "outsider", places),
        admin=admin,
    )
