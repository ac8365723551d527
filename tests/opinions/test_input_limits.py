"""What residents type is stored as they meant it: phone numbers normalised or refused, invisible characters gone."""

import datetime

import pytest
from django.utils import timezone

from liaison.lib.errors import DomainError
from liaison.opinions import services
from liaison.opinions.models import Opinion, Visit
from liaison.opinions.validation import clean_phone
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１３８００００１１１１", "13800001111"),  # full-width, from a Chinese keyboard
        ("+86 138-0000-1111", "13800001111"),
        ("0566-5123456", "05665123456"),
        ("（0566）51234567", "056651234567"),
        ("5123456", "5123456"),
        ("", ""),
    ],
)
def test_it_stores_a_phone_number_as_plain_digits(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "23800001111", "1380000111", "138000011112", "١٣٨٠٠٠٠١١١١", "电话13800001111"]
)
def test_it_refuses_what_is_not_a_mainland_phone_number(typed):
    with pytest.raises(DomainError, match="联系电话格式不正确"):
        clean_phone(typed)


def test_it_strips_bidi_overrides_and_zero_width_characters_from_a_message(cast):
    opinion, _ = make_opinion(cast, title="路灯\u202e不亮", content="\ufeff村口\u200b路灯\u2066坏了\u2069一个月")
    stored = Opinion.objects.get(pk=opinion.pk)
    assert stored.title == "路灯不亮" and stored.content == "村口路灯坏了一个月"


def _visit(cast, **kw):
    args = {
        "deputy": cast.deputy,
        "station": cast.station,
        "kind": Visit.Kind.DOOR,
        "date": timezone.localdate(),
        "place": "缘溪村一组",
        "opinions": [{"title": "水渠", "content": "一组水渠堵了，下雨就漫到路上。"}],
        "actor": cast.deputy_user,
    }
    args.update(kw)
    return services.log_visit(**args)


def test_it_refuses_a_visit_dated_in_the_future_or_before_the_term(cast):
    today = timezone.localdate()
    with pytest.raises(DomainError, match="走访日期不能晚于今天"):
        _visit(cast, date=today + datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="不能早于 5 年前"):
        _visit(cast, date=datetime.date(1, 1, 1))
    visit, _ = _visit(cast, date=today - datetime.timedelta(days=365 * 4))
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_it_logs_at_most_ten_opinions_with_one_visit(cast):
    many = [{"title": f"事项{i}", "content": f"第 {i} 件事"} for i in range(11)]
    with pytest.raises(DomainError, match="最多登记 10 条"):
        _visit(cast, opinions=many)
    assert not Visit.objects.exists() and not Opinion.objects.exists()


def test_it_answers_an_oversized_json_body_with_a_json_413(cast, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(
        f"/api/v1/public/stations/{cast.station.code}/opinions",
        {"content": "长" * 20_000},
        content_type="application/json",
        headers={"Idempotency-Key": "a1b2c3d4e5f6g7h8i9j0"},
    )
    assert response.status_code == 413 and response.json()["detail"] == "请求体过大"
    assert not Opinion.objects.exists()
