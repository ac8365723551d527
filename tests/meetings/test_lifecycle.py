"""Who may open, prepare, decide and close a meeting is enforced by the services themselves."""

import pytest
from django.utils import timezone

from liaison.lib.errors import NotAllowed
from liaison.meetings import lifecycle, services
from liaison.meetings.models import AgendaItem, Meeting
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


def _open(cast, actor):
    today = timezone.localdate()
    return services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=actor)


def test_it_lets_only_the_station_head_open_the_meeting(cast):
    for user in (cast.officer, cast.deputy_user, cast.outsider):
        with pytest.raises(NotAllowed):
            _open(cast, user)
    assert not Meeting.objects.exists()
    assert _open(cast, cast.head).state == Meeting.State.OPEN


def test_it_lets_the_officer_prepare_but_not_decide_or_close(cast):
    make_opinion(cast)
    meeting = _open(cast, cast.head)
    services.record_attendance(meeting=meeting, present=[cast.deputy], actor=cast.officer)
    item = AgendaItem.objects.select_related("meeting", "opinion").get()
    with pytest.raises(NotAllowed):
        services.decide_item(item=item, decision=AgendaItem.Decision.NOT_FEASIBLE, note="x", actor=cast.officer)
    with pytest.raises(NotAllowed):
        services.close_meeting(meeting=meeting, actor=cast.officer)
    with pytest.raises(NotAllowed):
        services.record_attendance(meeting=meeting, present=[], actor=cast.deputy_user)
    assert lifecycle.allowed_actions(cast.officer, meeting) == {"refresh", "attendance"}
    assert lifecycle.allowed_actions(cast.head, meeting) == {"refresh", "attendance", "decide", "close"}
    services.close_meeting(meeting=meeting, actor=cast.head)
    meeting.refresh_from_db()
    assert lifecycle.allowed_actions(cast.head, meeting) == set()
