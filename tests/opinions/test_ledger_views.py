import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from liaison.opinions import services
from liaison.opinions.models import Opinion
from tests.opinions.helpers import make_opinion
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def opinions(cast):
    a, _ = make_opinion(cast, title="路灯不亮", deputy=cast.deputy, channel=Opinion.Channel.RECEPTION)
    b, _ = make_opinion(
        cast,
        title="公交线路",
        content="希望开通到县城的公交",
        category=cast.categories["交通运输"],
        channel=Opinion.Channel.LETTER,
    )
    c, _ = make_opinion(
        cast, station=cast.station_b, actor=cast.staff, title="井盖破损", content="桃坑村小学门口井盖破损"
    )
    d, _ = make_opinion(cast, station=cast.other_station, actor=cast.admin, title="东至的事", content="沙山村的问题")
    return a, b, c, d


def titles(response):
    return {o.title for o in response.context["page"]}


def test_it_lists_the_ledger_in_scope(cast, client_for, opinions):
    assert titles(client_for(cast.staff).get("/opinions/")) == {"路灯不亮", "公交线路", "井盖破损"}
    assert titles(client_for(cast.head).get("/opinions/")) == {"路灯不亮", "公交线路"}
    assert titles(client_for(cast.deputy_user).get("/opinions/")) == {"路灯不亮", "公交线路"}
    assert titles(client_for(cast.village).get("/opinions/")) == {"路灯不亮", "公交线路"}
    assert titles(client_for(cast.outsider).get("/opinions/")) == {"东至的事"}


def test_it_hides_the_ledger_from_handling_units_and_outsiders(cast, client_for, opinions):
    unit = client_for(cast.unit_user)
    assert unit.get("/opinions/").status_code == 404
    assert unit.get("/opinions/export.xlsx").status_code == 404
    a = opinions[0]
    assert unit.get(f"/opinions/{a.code}/").status_code == 404
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/opinions/{a.code}/").status_code == 404
    assert outsider.get(f"/opinions/?station={cast.station.code}").context["total"] == 0
    assert outsider.get(f"/opinions/{a.code}/photos/1/").status_code == 404


def test_it_filters_and_searches(cast, client_for, opinions):
    client = client_for(cast.staff)
    assert titles(client.get("/opinions/?q=井盖")) == {"井盖破损"}
    assert titles(client.get("/opinions/?q=县城")) == {"公交线路"}
    assert titles(client.get(f"/opinions/?q={opinions[0].code}")) == {"路灯不亮"}
    assert titles(client.get(f"/opinions/?station={cast.station_b.code}")) == {"井盖破损"}
    assert titles(client.get(f"/opinions/?region={cast.renli.code}")) == {"路灯不亮", "公交线路", "井盖破损"}
    assert titles(client.get("/opinions/?channel=letter")) == {"公交线路"}
    assert titles(client.get(f"/opinions/?category={cast.categories['交通运输'].pk}")) == {"公交线路"}
    assert titles(client.get(f"/opinions/?deputy={cast.deputy.code}")) == {"路灯不亮"}
    month = opinions[0].created_at.astimezone().strftime("%Y-%m")
    assert len(titles(client.get(f"/opinions/?month={month}&state=registered"))) == 3
    assert titles(client.get("/opinions/?month=2001-01")) == set()
    garbage = client.get("/opinions/?month=garbage&state=nonsense&category=x")
    assert garbage.status_code == 200 and titles(garbage) == {"路灯不亮", "公交线路", "井盖破损"}  # filters ignored


def test_it_masks_phones_on_the_ledger_even_for_roles_that_need_them(cast, client_for, opinions):
    # Who needs a resident's phone asks for it on the opinion's page, with a reason (test_contacts_view.py).
    for user in (cast.leader, cast.village, cast.deputy2_user, cast.staff, cast.officer, cast.head, cast.deputy_user):
        text = client_for(user).get("/opinions/").content.decode()
        assert "13800001111" not in text and "138****1111" in text and "陈**" in text, user
    text = client_for(cast.deputy_user).get(f"/opinions/{opinions[0].code}/").content.decode()
    assert "13800001111" not in text and "查看完整联系方式" in text  # the collecting deputy may ask for it
    text = client_for(cast.deputy_user).get(f"/opinions/{opinions[1].code}/").content.decode()
    assert "13800001111" not in text and "查看完整联系方式" not in text


def test_it_exports_xlsx_scoped_and_masked(cast, client_for, opinions):
    response = client_for(cast.leader).get("/opinions/export.xlsx?q=路灯")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "查询码" and len(rows) == 2
    assert rows[1][5] == "路灯不亮" and rows[1][9] == "138****1111"
    response = client_for(cast.staff).get("/opinions/export.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 4 and "13800001111" in {r[9] for r in rows}


def test_it_lists_without_n_plus_one(cast, client_for, django_assert_max_num_queries):
    for i in range(30):
        make_opinion(cast, title=f"事项{i}", deputy=cast.deputy if i % 2 else None)
    client = client_for(cast.staff)
    client.get("/opinions/")
    with django_assert_max_num_queries(12):
        response = client.get("/opinions/")
    assert len(response.context["page"]) == 30


@pytest.mark.parametrize("category", ["9223372036854775808", "99999999999999999999", "²", "-1"])
def test_it_ignores_an_impossible_category_filter_on_page_and_export(cast, client_for, opinions, category):
    client = client_for(cast.staff)
    page = client.get("/opinions/", {"category": category})
    assert page.status_code == 200 and titles(page) == {"路灯不亮", "公交线路", "井盖破损"}
    export = client.get("/opinions/export.xlsx", {"category": category})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert {"路灯不亮", "公交线路", "井盖破损"} <= {c.value for row in sheet.iter_rows() for c in row}


# --- query-count guards: each list renders with as many queries for 15 rows as for 3 -------------------------


def _opinions(cast, first, n):
    """n opinions 事项{i}, alternating between the two 石台 stations, half collected by a deputy."""
    for i in range(first, first + n):
        station = cast.station if i % 2 else cast.station_b
        deputy = cast.deputy if station == cast.station and i % 4 == 1 else None
        category = cast.categories["城乡建设" if i % 3 else "交通运输"]
        make_opinion(cast, title=f"事项{i}", station=station, deputy=deputy, category=category, actor=cast.staff)


@pytest.mark.parametrize("who", ["staff", "leader", "deputy_user"])
def test_it_shows_the_ledger_without_a_query_per_opinion(cast, client_for, who):
    _opinions(cast, 0, 3)
    response = assert_flat_queries(client_for(getattr(cast, who)), "/opinions/", grow=lambda: _opinions(cast, 3, 12))
    html = response.content.decode()
    listed = titles(response)
    assert "事项1" in html and "事项13" in html
    assert len(listed) == (15 if who != "deputy_user" else 7)  # the deputy: their own station's
    assert "13800001111" not in html and "138****1111" in html  # masked for everyone on the list


def _visits(cast, first, n):
    for i in range(first, first + n):
        services.log_visit(
            deputy=cast.deputy,
            station=cast.station,
            kind="door",
            date=timezone.localdate(),
            place=f"第{i}村民组",
            opinions=[{"title": f"走访事项{i}", "content": "村民反映道路破损"}] if i % 2 else [],
            actor=cast.deputy_user,
        )


def _mediations(cast, first, n):
    for i in range(first, first + n):
        services.record_mediation(
            deputy=cast.deputy,
            station=cast.station,
            date=timezone.localdate(),
            parties="甲、乙",
            subject=f"宅基地边界纠纷{i}",
            steps="现场查看，两户协商",
            result="resolved",
            actor=cast.deputy_user,
        )


def test_it_lists_visits_without_a_query_per_visit(cast, client_for):
    _visits(cast, 0, 3)
    response = assert_flat_queries(client_for(cast.staff), "/opinions/visits/", grow=lambda: _visits(cast, 3, 12))
    html = response.content.decode()
    assert "共 15 次" in html and "第0村民组" in html and "第14村民组" in html and "王建国" in html


def test_it_shows_a_deputys_record_without_a_query_per_row(cast, client_for):
    def grow(first, n):
        _visits(cast, first, n)
        _mediations(cast, first, n)
        _opinions(cast, first, n)

    grow(0, 3)
    url = f"/opinions/deputies/{cast.deputy.code}/record/"
    response = assert_flat_queries(client_for(cast.staff), url, grow=lambda: grow(3, 12))
    html = response.content.decode()
    assert "第14村民组" in html and "宅基地边界纠纷14" in html and "走访事项13" in html


@pytest.mark.parametrize("who", ["staff", "deputy2_user"])
def test_it_exports_the_ledger_without_a_query_per_opinion(cast, client_for, who):
    _opinions(cast, 0, 3)
    client = client_for(getattr(cast, who))
    response = assert_flat_queries(client, "/opinions/export.xlsx", grow=lambda: _opinions(cast, 3, 12))
    rows = list(load_workbook(io.BytesIO(response.streamed)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + (15 if who == "staff" else 7) and {"事项1", "事项13"} <= {r[5] for r in rows}
    assert {r[9] for r in rows[1:]} == {"13800001111" if who == "staff" else "138****1111"}
