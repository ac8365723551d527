import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liaison.events.models import Event
from liaison.lib.errors import DomainError, TransitionError
from liaison.opinions import services
from liaison.opinions.models import Opinion, ReportBack, Visit
from liaison.opinions.validation import clean_photo, clean_photos, clean_text
from tests.opinions.helpers import form_key, jpeg_bytes, make_opinion

pytestmark = pytest.mark.django_db
S = Opinion.State


def events(opinion):
    return list(Event.objects.filter(subject_type="opinion", subject_id=opinion.code).values_list("action", flat=True))


def test_it_registers_an_opinion_with_a_code_and_a_hashed_password(cast):
    opinion, password = make_opinion(cast)
    assert opinion.code.startswith("M") and len(opinion.code) == 9
    assert password not in opinion.query_password_hash and services.verify_password(opinion, password)
    assert opinion.state == S.REGISTERED and events(opinion) == ["registered"]


def test_it_refuses_empty_long_and_binary_text_and_saves_nothing(cast):
    for content, words in [
        ("   ", "请填写"),
        ("长" * 5001, "不能超过 5000"),
        ("abc\x00\x01def", "无法识别"),
        ("坏\ufffd", "无法识别"),
    ]:
        with pytest.raises(DomainError, match=words):
            make_opinion(cast, content=content)
    assert Opinion.objects.count() == 0 and Event.objects.count() == 0


def test_it_logs_a_visit_with_two_opinions(cast):
    visit, created = services.log_visit(
        deputy=cast.deputy,
        station=cast.station,
        kind=Visit.Kind.COURTYARD,
        date=timezone.localdate(),
        place="缘溪村三组晒谷场",
        residents_met="三组村民 12 人",
        opinions=[
            {"title": "河口需建桥", "content": "雨季河水上涨，三组村民去镇上要绕行五公里。"},
            {"title": "晾衣棚", "content": "安置点缺少晾衣棚，衣服只能晾在路边。"},
        ],
        actor=cast.deputy_user,
    )
    assert len(created) == 2 and {o.visit_id for o, _ in created} == {visit.pk}
    assert {o.channel for o, _ in created} == {Opinion.Channel.VISIT}
    assert all(o.deputy == cast.deputy for o, _ in created)


def test_it_rolls_back_a_visit_when_one_opinion_is_bad(cast):
    with pytest.raises(DomainError):
        services.log_visit(
            deputy=cast.deputy,
            station=cast.station,
            kind=Visit.Kind.DOOR,
            date=timezone.localdate(),
            place="一组",
            opinions=[{"title": "好", "content": "正常内容"}, {"title": "坏", "content": ""}],
            actor=cast.deputy_user,
        )
    assert Visit.objects.count() == 0 and Opinion.objects.count() == 0


def test_it_refuses_a_deputy_of_another_station(cast):
    with pytest.raises(DomainError, match="未进驻"):
        make_opinion(cast, deputy=cast.other_deputy, channel=Opinion.Channel.RECEPTION)


def test_it_answers_on_the_spot_and_closes_with_the_report_back(cast):
    opinion, _ = make_opinion(cast)
    services.answer_on_spot(opinion=opinion, answer="已联系电工，明天更换灯泡。", actor=cast.officer)
    assert opinion.state == S.REPORTED_BACK and ReportBack.objects.filter(opinion=opinion).count() == 1
    services.close_opinion(opinion=opinion, actor=cast.officer)
    opinion.refresh_from_db()
    assert opinion.state == S.CLOSED and opinion.closed_at
    assert events(opinion) == ["registered", "answered_on_spot", "reported_back", "closed"]


def test_it_refuses_illegal_transitions_and_changes_nothing(cast):
    opinion, _ = make_opinion(cast)
    before = Event.objects.count()
    with pytest.raises(TransitionError):
        services.close_opinion(opinion=opinion, actor=cast.officer)
    with pytest.raises(TransitionError):
        services.record_outcome(opinion=opinion, text="修好了", actor=cast.officer)
    with pytest.raises(TransitionError):
        services.mark_not_feasible(opinion=opinion, reason="没钱", actor=cast.head)  # not on the agenda
    with pytest.raises(TransitionError):
        services.record_report_back(
            opinion=opinion, method="phone", at=timezone.localdate(), reaction="satisfied", actor=cast.officer
        )
    opinion.refresh_from_db()
    assert opinion.state == S.REGISTERED and Event.objects.count() == before
    assert ReportBack.objects.count() == 0


def test_it_refuses_a_transition_someone_else_made_first(cast):
    opinion, _ = make_opinion(cast)
    stale = Opinion.objects.get(pk=opinion.pk)
    services.refuse_opinion(opinion=opinion, reason="属于诉讼事项", redirect_to="县人民法院", actor=cast.officer)
    with pytest.raises(TransitionError):
        services.answer_on_spot(opinion=stale, answer="x", actor=cast.officer)


def test_it_refuses_with_a_reason_and_where_to_turn(cast):
    opinion, _ = make_opinion(cast)
    services.refuse_opinion(
        opinion=opinion, reason="属于家庭内部纠纷", redirect_to="村人民调解委员会", actor=cast.officer
    )
    assert opinion.state == S.NOT_ACCEPTED and opinion.redirect_to == "村人民调解委员会"
    event = Event.objects.get(subject_id=opinion.code, action="not_accepted")
    assert event.public and "村人民调解委员会" in event.note


def _on_agenda(cast, **kw):
    opinion, _ = make_opinion(cast, **kw)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    return opinion


def test_it_links_opinions_to_a_suggestion_and_records_its_outcome(cast):
    a, b = _on_agenda(cast), _on_agenda(cast, title="路灯不亮（二）")
    for o in (a, b):
        services.turn_into_suggestion(opinion=o, drafting_deputy=cast.deputy, actor=cast.head)
    services.link_opinions_to_suggestion(opinions=[a, b], suggestion_code="J2026001", actor=cast.deputy_user)
    assert a.state == b.state == S.IN_SUGGESTION
    assert Event.objects.get(subject_id=a.code, action="in_suggestion").data == {"suggestion": "J2026001"}
    services.record_suggestion_outcome(opinion=a, text="县住建局已安排年内改造。", actor=cast.staff)
    assert a.state == S.OUTCOME_RECORDED and a.outcome.startswith("县住建局")
    assert Event.objects.get(subject_id=a.code, action="suggestion_answered").public


def test_it_links_nothing_when_one_opinion_is_not_ready(cast):
    a = _on_agenda(cast)
    services.turn_into_suggestion(opinion=a, drafting_deputy=cast.deputy, actor=cast.head)
    b, _ = make_opinion(cast)
    with pytest.raises(TransitionError):
        services.link_opinions_to_suggestion(opinions=[a, b], suggestion_code="J1", actor=cast.deputy_user)
    a.refresh_from_db()
    assert a.state == S.TO_SUGGESTION


def test_it_needs_a_stationed_drafting_deputy(cast):
    a = _on_agenda(cast)
    with pytest.raises(DomainError, match="进站代表"):
        services.turn_into_suggestion(opinion=a, drafting_deputy=cast.other_deputy, actor=cast.head)


def test_it_runs_village_handling_to_closed(cast):
    opinion = _on_agenda(cast)
    services.route_to_village(
        opinion=opinion, due_date=timezone.localdate() + datetime.timedelta(days=30), actor=cast.head
    )
    services.record_outcome(opinion=opinion, text="村里已更换三盏路灯。", actor=cast.village)
    services.record_report_back(
        opinion=opinion,
        method=ReportBack.Method.PHONE,
        at=timezone.localdate(),
        reaction=ReportBack.Reaction.SATISFIED,
        note="群众表示满意",
        actor=cast.deputy_user,
    )
    assert ReportBack.objects.get(opinion=opinion).deputy == cast.deputy
    services.close_opinion(opinion=opinion, actor=cast.officer)
    assert opinion.state == S.CLOSED


def test_it_merges_duplicates_onto_the_root(cast):
    root = _on_agenda(cast)
    dup1, dup2 = _on_agenda(cast), _on_agenda(cast)
    services.mark_duplicate(opinion=dup1, original=root, actor=cast.head)
    services.mark_duplicate(opinion=dup2, original=dup1, actor=cast.head)
    assert dup2.duplicate_of == root
    with pytest.raises(DomainError):
        services.mark_duplicate(opinion=root, original=dup1, actor=cast.head)


def test_it_lets_the_resident_rate_once(cast):
    opinion, _ = make_opinion(cast)
    with pytest.raises(DomainError, match="尚未答复"):
        services.rate_outcome(opinion=opinion, rating="satisfied")
    services.answer_on_spot(opinion=opinion, answer="已处理", actor=cast.officer)
    services.rate_outcome(opinion=opinion, rating="basically")
    with pytest.raises(DomainError, match="已评价"):
        services.rate_outcome(opinion=opinion, rating="satisfied")
    opinion.refresh_from_db()
    assert opinion.rating == "basically"


def test_it_submits_publicly_once_per_key(cast):
    args = {"station": cast.station, "key": form_key("a"), "content": "自来水浑浊，烧开后有沉淀。", "client": "c1"}
    first, password, created = services.submit_public_opinion(**args)
    again, password2, created2 = services.submit_public_opinion(**args)
    assert created and not created2 and first.pk == again.pk and password == password2
    assert services.verify_password(first, password)
    assert Opinion.objects.count() == 1


def test_it_throttles_floods_from_one_client(cast):
    for i in range(services.SUBMIT_LIMIT_PER_CLIENT[0]):
        services.submit_public_opinion(station=cast.station, key=form_key(str(i)), content="内容", client="same")
    with pytest.raises(services.Throttled):
        services.submit_public_opinion(station=cast.station, key=form_key("z"), content="内容", client="same")


def test_it_throttles_wrong_passwords(cast):
    opinion, password = make_opinion(cast)
    for _ in range(services.LOOKUP_LIMIT_PER_CLIENT[0]):
        with pytest.raises(DomainError, match="不正确"):
            services.lookup_opinion(code=opinion.code, password="000000x", client="ip1")
    with pytest.raises(services.Throttled):
        services.lookup_opinion(code=opinion.code, password=password, client="ip1")
    assert services.lookup_opinion(code=opinion.code.lower(), password=password, client="ip2") == opinion


def test_it_reencodes_photos_without_metadata():
    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    photo = clean_photo(upload)
    assert photo.content_type == "image/jpeg" and b"SecretCamera" not in photo.content
    png = clean_photo(SimpleUploadedFile("b.png", jpeg_bytes(fmt="PNG"), content_type="image/png"))
    assert png.ext == "png"


def test_it_refuses_bad_photos():
    with pytest.raises(DomainError, match="不是有效的图片"):
        clean_photo(SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg"))
    with pytest.raises(DomainError, match="不是 JPG 或 PNG"):
        clean_photo(SimpleUploadedFile("x.gif", jpeg_bytes(fmt="GIF"), content_type="image/gif"))
    big = SimpleUploadedFile("big.jpg", b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(DomainError, match="超过 5 MB"):
        clean_photo(big)
    with pytest.raises(DomainError, match="最多"):
        clean_photos([SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()) for i in range(4)])


def test_it_keeps_newlines_but_strips_text():
    assert clean_text("  第一行\r\n第二行\t ", label="内容") == "第一行\n第二行"


def test_it_records_a_mediation(cast):
    m = services.record_mediation(
        deputy=cast.deputy,
        station=cast.station,
        date=timezone.localdate(),
        parties="张三，李四",
        subject="宅基地边界纠纷",
        steps="实地查看，召集双方协商",
        result="resolved",
        actor=cast.deputy_user,
    )
    assert m.masked_parties == "张*、李*"
