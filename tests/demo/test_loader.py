"""liaison/demo: the ordered loader and the shared cast (the full load is tests/org/test_loaddemo.py)."""

import pytest

from liaison.demo.cast import ACCOUNTS, account_table, create_account
from liaison.demo.loader import STEPS, DatabaseNotEmpty, load_demo
from liaison.org.models import Membership

pytestmark = pytest.mark.django_db


def test_it_runs_the_organisation_first_and_the_derived_figures_last():
    names = [s.name for s in STEPS]
    assert names[:2] == ["org", "accounts"] and names[-1] == "rollups"
    assert names.index("opinions") < names.index("suggestions") < names.index("story")


def test_it_loads_only_an_empty_database(cast):
    lines = []
    assert load_demo(if_empty=True, out=lines.append) is False and lines == ["数据库已有数据，跳过演示数据载入。"]
    with pytest.raises(DatabaseNotEmpty):
        load_demo(out=lines.append)
    with pytest.raises(ValueError):
        load_demo(steps=["org", "nonsense"])


def test_the_test_cast_plays_the_demo_accounts_parts(cast):
    parts = {
        cast.head: "station_head",
        cast.officer: "liaison",
        cast.village: "village",
        cast.staff: "shitai_staff",
        cast.township_staff: "renli_staff",
        cast.city_staff: "city_staff",
        cast.unit_user: "unit_zjj",
        cast.unit_b_user: "unit_jtj",
        cast.leader: "shitai_leader",
        cast.outsider: "dongzhi_staff",
    }
    for user, name in parts.items():
        (m,) = Membership.objects.filter(user=user).select_related("region", "station", "unit")
        where = m.region or m.station or m.unit
        assert (m.role, where.code) == (ACCOUNTS[name].role, ACCOUNTS[name].scope), name
    assert cast.deputy.user == cast.deputy_user and cast.deputy.stations.get().code == ACCOUNTS["deputy"].scope


def test_an_account_can_be_created_elsewhere_with_its_role(cast):
    user = create_account(ACCOUNTS["station_head"], username="bench_head", password="x", scope=cast.station_b)
    assert user.memberships.get().station == cast.station_b and user.display_name == "缘溪村站长"
    assert all(f"  {name} " in account_table() for name in ACCOUNTS)
