"""The main lists on a phone (375 px): each row is a card whose cells stack, labelled by their column header, and
the page does not scroll sideways; on a laptop (1,366 px) the same list is still a table."""

from pathlib import Path

import pytest
from django.utils import timezone

from liaison.opinions import services
from tests.opinions.helpers import make_opinion
from tests.suggestions.helpers import assigned, submitted

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}

# The page's width and the list box's hidden overflow; the first data row's first two cells (positions, labels);
# the first row link's height.
MEASURE = """() => {
  const row = document.querySelector("table.lz-cards tbody tr");
  const [a, b] = [row.children[0], row.children[1]];
  const link = row.querySelector("a");
  return {
    scroll: document.documentElement.scrollWidth,
    inner: row.closest(".table-responsive") ? row.closest(".table-responsive").scrollWidth -
      row.closest(".table-responsive").clientWidth : 0,
    tops: [a.getBoundingClientRect().top, b.getBoundingClientRect().top],
    lefts: [a.getBoundingClientRect().left, b.getBoundingClientRect().left],
    labels: [a.dataset.label, b.dataset.label, getComputedStyle(b, "::before").content],
    link: link ? link.getBoundingClientRect().height : null,
    display: getComputedStyle(row).display,
  };
}"""


@pytest.fixture
def lists(cast):
    make_opinion(cast, title="村口到小学的路灯坏了一个月，晚上孩子放学看不清路")
    assigned(cast, title="关于维修缘溪村村口石桥并加装护栏的建议")
    submitted(cast, title="关于在仁里镇中心小学门口设置减速带的建议")
    services.log_visit(
        deputy=cast.deputy,
        station=cast.station,
        kind="door",
        date=timezone.localdate(),
        place="缘溪村第三村民组",
        opinions=[{"title": "走访听到的道路破损", "content": "村民反映道路破损"}],
        actor=cast.deputy_user,
    )


PAGES = [
    ("ledger", "officer", "/opinions/", ("查询码", "登记时间")),
    ("inbox", "unit_user", "/units/inbox/", ("交办编号", "建议")),
    ("suggestions", "staff", "/suggestions/?state=open", ("编号/案号", "标题")),
    ("review", "staff", "/suggestions/review/", ("编号", "标题")),
    ("visits", "deputy_user", "/opinions/visits/", ("日期", "代表")),
]


@pytest.mark.parametrize("name, role, path, labels", PAGES, ids=[p[0] for p in PAGES])
def test_a_list_is_cards_on_a_phone_and_a_table_on_a_laptop(cast, lists, login, live_server, name, role, path, labels):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = login(getattr(cast, role))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    phone = page.evaluate(MEASURE)
    if name == "ledger":
        page.screenshot(path=str(SHOTS / "ledger-375.png"), full_page=True)
    assert phone["scroll"] <= 375, phone
    assert phone["inner"] <= 0, phone  # nor the table inside its box: no column cut off
    assert phone["display"] == "block"
    assert phone["tops"][1] > phone["tops"][0], phone  # stacked, not side by side
    assert tuple(phone["labels"][:2]) == labels
    assert phone["labels"][2] == f'"{labels[1]}"'  # the label is drawn before the cell
    assert phone["link"] >= 44

    page.set_viewport_size(LAPTOP)
    laptop = page.evaluate(MEASURE)
    if name == "ledger":
        page.screenshot(path=str(SHOTS / "ledger-1366.png"), full_page=True)
    assert laptop["display"] == "table-row"
    assert laptop["tops"][0] == laptop["tops"][1] and laptop["lefts"][1] > laptop["lefts"][0]  # side by side
    assert laptop["labels"][2] in ("none", "normal")
