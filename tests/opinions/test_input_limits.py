"""What residents type is stored as they meant it: phone numbers normalised or refused, invisible characters gone."""

import pytest

from liaison.lib.errors import DomainError
from liaison.opinions.models import Opinion
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
