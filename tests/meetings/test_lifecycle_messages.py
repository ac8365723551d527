"""What a refused user reads, and what a meeting page offers: the meeting lifecycle's answers, asked directly."""

import pytest
from django.utils import timezone

from liaison.lib.errors import NotAllowed
from liaison.meetings import lifecycle, services

pytestmark = pytest.mark.django_db


def _meeting(cast):
    today = timezone.localdate()
    return services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head)


def test_it_says_who_may_chair_or_manage_when_it_refuses(cast):
    meeting = _meeting(cast)
    with pytest.raises(NotAllowed, match="只有站长（或上级人大工作人员）可以召集、主持和结束会商"):
        lifecycle.require(cast.officer, "close", meeting)
    with pytest.raises(NotAllowed, match="只有本站的联络员、站长或人大工作人员可以修改会商记录"):
        lifecycle.require(cast.deputy_user, "attendance", meeting)
    with pytest.raises(NotAllowed, match="只有站长（或上级人大工作人员）可以召集"):
        lifecycle.require_open_permission(cast.officer, cast.station)


def test_it_answers_may_by_role_per_step(cast):
    meeting = _meeting(cast)
    assert lifecycle.may(cast.officer, "attendance", meeting)
    assert not lifecycle.may(cast.officer, "decide", meeting)
    assert lifecycle.may(cast.head, "decide", meeting)
    assert not lifecycle.may(cast.outsider, "refresh", meeting)
