import datetime
import io

import pytest
from django.utils import timezone
from docx import Document

from liaison.events.models import Event
from liaison.lib.errors import DomainError, TransitionError
from liaison.meetings import services
from liaison.meetings.agenda import order_agenda
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
D = AgendaItem.Decision
S = Opinion.State


def _open(cast, **kw):
    today = timezone.localdate()
    return services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head, **kw)


def test_it_fills_the_agenda_with_undecided_opinions_grouped_and_similar_adjacent(cast):
    build, traffic = cast.categories["城乡建设"], cast.categories["交通运输"]
    make_opinion(cast, title="路灯不亮", content="村口路灯不亮，晚上出行不便", category=build)
    make_opinion(cast, title="公交线路", content="希望开通到县城的公交线路", category=traffic)
    make_opinion(cast, title="井盖破损", content="小学门口井盖破损有安全隐患", category=build)
    make_opinion(cast, title="路灯坏了", content="三组路灯不亮，晚上出行不便", category=build)
    answered, _ = make_opinion(cast, title="已答复")
    from liaison.opinions.services import answer_on_spot

    answer_on_spot(opinion=answered, answer="已答复", actor=cast.officer)
    make_opinion(cast, station=cast.station_b, actor=cast.staff, title="别站的")
    meeting = _open(cast)
    titles = [i.opinion.title for i in meeting.items.order_by("position")]
    assert titles == ["路灯不亮", "路灯坏了", "井盖破损", "公交线路"]
    assert set(Opinion.objects.filter(title__in=titles).values_list("state", flat=True)) == {S.ON_AGENDA}


def test_it_orders_by_similarity_within_a_category():
    class Item:
        def __init__(self, pk, title):
            self.pk, self.title, self.content, self.category, self.created_at = pk, title, "", None, pk

    items = [Item(1, "自来水浑浊有沉淀"), Item(2, "公交线路太少"), Item(3, "自来水浑浊发黄"), Item(4, "公交线路少班次")]
    order = [o.pk for o in order_agenda(items)]
    assert sorted(order) == [1, 2, 3, 4]
    assert abs(order.index(1) - order.index(3)) == 1 and abs(order.index(2) - order.index(4)) == 1


def test_it_opens_one_meeting_per_station_and_month(cast):
    _open(cast)
    with pytest.raises(DomainError, match="已经召开"):
        _open(cast)
    assert Meeting.objects.count() == 1


def test_it_gives_all_five_decisions_and_writes_minutes(cast):
    opinions = [make_opinion(cast, title=f"议题{i}")[0] for i in range(5)]
    meeting = _open(cast)
    services.record_attendance(meeting=meeting, present=[cast.deputy], actor=cast.officer)
    items = {i.opinion.title: i for i in meeting.items.select_related("opinion", "meeting__station__region")}
    due = timezone.localdate() + datetime.timedelta(days=20)
    services.decide_item(item=items["议题0"], decision=D.VILLAGE, due_date=due, actor=cast.head)
    services.decide_item(item=items["议题1"], decision=D.REFER, unit=cast.unit, note="需县里立项", actor=cast.head)
    services.decide_item(item=items["议题2"], decision=D.SUGGESTION, drafting_deputy=cast.deputy, actor=cast.head)
    services.decide_item(item=items["议题3"], decision=D.DUPLICATE, duplicate_of=opinions[0], actor=cast.head)
    services.decide_item(item=items["议题4"], decision=D.NOT_FEASIBLE, note="涉及基本农田，无法审批", actor=cast.head)
    states = dict(Opinion.objects.values_list("title", "state"))
    assert states == {
        "议题0": S.VILLAGE_HANDLING,
        "议题1": S.REFERRED,
        "议题2": S.TO_SUGGESTION,
        "议题3": S.DUPLICATE,
        "议题4": S.NOT_FEASIBLE,
    }
    services.close_meeting(meeting=meeting, actor=cast.head)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CLOSED and meeting.minutes.name.endswith(".docx")
    doc = Document(io.BytesIO(meeting.minutes.read()))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    for words in [
        "会商共议会议纪要",
        "王建国",
        "李秀英",
        "村级办理",
        "石台县住房和城乡建设局",
        "形成代表建议",
        "重复合并",
        "基本农田",
    ]:
        assert words in text, words


def test_it_refuses_decisions_twice_or_after_closing(cast):
    make_opinion(cast)
    make_opinion(cast, title="另一条")
    meeting = _open(cast)
    first, second = meeting.items.select_related("opinion", "meeting__station__region")
    services.decide_item(item=first, decision=D.NOT_FEASIBLE, note="理由", actor=cast.head)
    with pytest.raises(TransitionError):
        services.decide_item(item=first, decision=D.NOT_FEASIBLE, note="理由", actor=cast.head)
    services.close_meeting(meeting=meeting, actor=cast.head)
    with pytest.raises(TransitionError):
        services.decide_item(item=second, decision=D.NOT_FEASIBLE, note="理由", actor=cast.head)
    with pytest.raises(TransitionError):
        services.close_meeting(meeting=meeting, actor=cast.head)
    assert Opinion.objects.get(pk=second.opinion_id).state == S.ON_AGENDA


def test_it_refuses_incomplete_decisions_and_changes_nothing(cast):
    make_opinion(cast)
    meeting = _open(cast)
    item = meeting.items.select_related("opinion", "meeting__station__region").get()
    before = Event.objects.count()
    for kwargs, words in [
        ({"decision": D.VILLAGE}, "期限"),
        ({"decision": D.REFER}, "乡镇或部门"),
        ({"decision": D.REFER, "unit": cast.other_unit}, "本地"),
        ({"decision": D.SUGGESTION, "drafting_deputy": cast.other_deputy}, "进站代表"),
        ({"decision": D.DUPLICATE}, "重复"),
        ({"decision": D.NOT_FEASIBLE}, "理由"),
        ({"decision": "nonsense"}, "会商决定"),
    ]:
        with pytest.raises(DomainError, match=words):
            services.decide_item(item=item, actor=cast.head, **kwargs)
    item.refresh_from_db()
    assert item.decision == "" and Event.objects.count() == before


def test_it_carries_undecided_items_and_new_opinions(cast):
    make_opinion(cast)
    meeting = _open(cast)
    make_opinion(cast, title="会后新登记")
    assert services.refresh_agenda(meeting=meeting, actor=cast.officer) == 1
    assert meeting.items.count() == 2


def test_it_records_attendance_of_stationed_deputies_only(cast):
    meeting = _open(cast)
    with pytest.raises(DomainError):
        services.record_attendance(meeting=meeting, present=[cast.other_deputy], actor=cast.head)
    services.record_attendance(meeting=meeting, present=[cast.deputy2], actor=cast.head)
    assert dict(meeting.attendances.values_list("deputy__name", "present")) == {"王建国": False, "李秀英": True}
