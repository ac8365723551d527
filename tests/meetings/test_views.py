import datetime
import io

import pytest
from django.utils import timezone
from docx import Document

from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion
from tests.opinions.helpers import make_opinion
from tests.queries import assert_flat_queries
from tests.reports import history

pytestmark = pytest.mark.django_db
S = Opinion.State


def _open(client, station):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return client.post(
        f"/meetings/open/{station.code}/", {"held_at": now, "place": "村党群服务中心", "chair": "周站长"}
    )


def _decide(client, item, **data):
    payload = {f"i{item.pk}-{k}": v for k, v in data.items()}
    return client.post(f"/meetings/{item.meeting.code}/items/{item.pk}/decide/", payload, follow=True)


def test_it_holds_the_monthly_meeting_with_all_five_decisions(cast, client_for):
    titles = ["路灯不亮", "村卫生室", "河口需建桥", "路灯又坏", "护栏缺失"]
    opinions = {t: make_opinion(cast, title=t)[0] for t in titles}
    head = client_for(cast.head)
    assert "召开" in head.get("/meetings/").content.decode()
    response = _open(head, cast.station)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.items.count() == 5 and meeting.chair == "周站长"
    page = head.get(f"/meetings/{meeting.code}/").content.decode()
    assert "路灯不亮" in page and "上月事项回访" in page and "石台县住房和城乡建设局" in page
    head.post(f"/meetings/{meeting.code}/attendance/", {"present": [cast.deputy.pk, cast.deputy2.pk]})
    items = {i.opinion.title: i for i in AgendaItem.objects.select_related("opinion", "meeting")}
    due = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    _decide(head, items["路灯不亮"], decision="village", due_date=due)
    _decide(head, items["村卫生室"], decision="refer", unit=cast.unit.pk, note="需县卫健委统筹")
    _decide(head, items["河口需建桥"], decision="suggestion", drafting_deputy=cast.deputy.pk)
    _decide(head, items["路灯又坏"], decision="duplicate", duplicate_code=opinions["路灯不亮"].code.lower())
    _decide(head, items["护栏缺失"], decision="not_feasible", note="道路属省道，村里无权施工")
    states = dict(Opinion.objects.values_list("title", "state"))
    assert states == {
        "路灯不亮": S.VILLAGE_HANDLING,
        "村卫生室": S.REFERRED,
        "河口需建桥": S.TO_SUGGESTION,
        "路灯又坏": S.DUPLICATE,
        "护栏缺失": S.NOT_FEASIBLE,
    }
    head.post(f"/meetings/{meeting.code}/close/")
    response = head.get(f"/meetings/{meeting.code}/minutes.docx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    for words in [
        *titles,
        "村级办理",
        "转办乡镇/部门",
        "形成代表建议",
        "重复合并",
        "暂不可行",
        "王建国、李秀英",
        "周站长",
    ]:
        assert words in text, words


def test_it_shows_a_wrong_decision_as_a_message(cast, client_for):
    make_opinion(cast)
    head = client_for(cast.head)
    _open(head, cast.station)
    item = AgendaItem.objects.select_related("meeting", "opinion").get()
    text = _decide(head, item, decision="village").content.decode()
    assert "期限" in text
    text = _decide(head, item, decision="duplicate", duplicate_code="MNOPE").content.decode()
    assert "没有查询码" in text
    item.refresh_from_db()
    assert item.decision == ""


def test_it_keeps_meetings_in_scope(cast, client_for):
    make_opinion(cast)
    _open(client_for(cast.head), cast.station)
    meeting = Meeting.objects.get()
    assert client_for(cast.outsider).get(f"/meetings/{meeting.code}/").status_code == 404
    assert client_for(cast.unit_user).get("/meetings/").status_code == 404
    assert client_for(cast.outsider).get(f"/meetings/{meeting.code}/minutes.docx").status_code == 404
    leader_page = client_for(cast.leader).get(f"/meetings/{meeting.code}/")
    assert leader_page.status_code == 200 and cast.station.name in leader_page.content.decode()
    item = AgendaItem.objects.select_related("meeting").get()
    # The liaison officer prepares the meeting but does not decide; deputies and leaders cannot write.
    assert client_for(cast.officer).post(f"/meetings/{meeting.code}/refresh/").status_code == 302
    assert _decide(client_for(cast.officer), item, decision="not_feasible", note="x").status_code == 403
    assert client_for(cast.deputy_user).post(f"/meetings/{meeting.code}/close/").status_code == 403
    assert client_for(cast.officer).post(f"/meetings/open/{cast.station.code}/", {}).status_code == 403


def test_it_serves_a_draft_of_the_minutes_while_open(cast, client_for):
    make_opinion(cast)
    _open(client_for(cast.head), cast.station)
    meeting = Meeting.objects.get()
    response = client_for(cast.deputy_user).get(f"/meetings/{meeting.code}/minutes.docx")
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert "未决定" in "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)


def test_it_dates_the_minutes_in_beijing_time_whatever_the_process_clock(cast, client_for, monkeypatch):
    import time

    make_opinion(cast)
    _open(client_for(cast.head), cast.station)
    meeting = Meeting.objects.get()
    held = datetime.datetime(2026, 3, 10, 6, 48, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    Meeting.objects.filter(pk=meeting.pk).update(held_at=held)
    monkeypatch.setenv("TZ", "UTC")  # a process whose clock is not the site's (e.g. no tzset on Windows)
    time.tzset()
    try:
        response = client_for(cast.head).get(f"/meetings/{meeting.code}/minutes.docx")
        doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    finally:
        monkeypatch.undo()
        time.tzset()
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2026年03月10日 06:48" in text and "2026年03月10日" in doc.paragraphs[-1].text


# --- query-count guards: each list renders with as many queries for 15 rows as for 3 -------------------------


def _meetings(cast, first, n):
    """n past meetings, alternating between the two 石台 stations, each with one decided and one open item."""
    for i in range(first, first + n):
        station = cast.station if i % 2 else cast.station_b
        year, month = 2020 + i // 12, i % 12 + 1
        when = history.at(year, month)
        items = [(history.opinion(station, when), "village"), (history.opinion(station, when), "")]
        history.meeting(station, year, month, items)


@pytest.mark.parametrize("who", ["staff", "head"])
def test_it_lists_meetings_without_a_query_per_meeting(cast, client_for, who):
    _meetings(cast, 0, 3)
    response = assert_flat_queries(client_for(getattr(cast, who)), "/meetings/", grow=lambda: _meetings(cast, 3, 12))
    html = response.content.decode()
    assert "2020年2月" in html and "2021年2月" in html  # 缘溪村's first and last
    assert ("桃坑村人大代表联络站" in html) == (who == "staff")  # the head: their own station's only
    assert ("召开" + cast.station.name in html) == (who == "head")


def test_it_shows_the_agenda_without_a_query_per_item(cast, client_for):
    head = client_for(cast.head)
    for i in range(3):
        make_opinion(cast, title=f"议题{i}")
    _open(head, cast.station)
    meeting = Meeting.objects.get()

    def grow():
        for i in range(3, 15):
            make_opinion(cast, title=f"议题{i}", deputy=cast.deputy if i % 2 else None)
        head.post(f"/meetings/{meeting.code}/refresh/")

    html = assert_flat_queries(head, f"/meetings/{meeting.code}/", grow=grow).content.decode()
    assert meeting.items.count() == 15 and "议题0" in html and "议题14" in html
