import pytest
from django.db.models import Count

from liaison.demo.opinions import load_history
from liaison.events.audit import verify_audit
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion, ReportBack
from tests.cast import make_cast

pytestmark = pytest.mark.django_db


def test_it_loads_a_year_of_history_with_work_for_the_demo_accounts(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cast = make_cast()
    cast.deputy_user.username = "deputy"
    cast.deputy_user.save(update_fields=["username"])
    message = load_history()
    assert "社情民意" in message
    states = dict(Opinion.objects.values_list("state").annotate(n=Count("id")))
    assert states[Opinion.State.CLOSED] > states.get(Opinion.State.REGISTERED, 0) > 0
    assert Opinion.objects.filter(station=cast.station, state="to_suggestion", drafting_deputy=cast.deputy).count() >= 2
    assert Opinion.objects.filter(station=cast.station, state="registered").count() >= 2
    closed = Opinion.objects.filter(state=Opinion.State.CLOSED)
    assert not closed.exclude(pk__in=ReportBack.objects.values("opinion_id")).exists()
    assert Meeting.objects.filter(station=cast.station).exists()
    assert AgendaItem.objects.exclude(decision="").exists()
    audit = verify_audit()
    assert audit.ok and audit.chains >= closed.count() > 0, audit.problems[:5]
    # No meeting for the current month: the demo station head can open it.
    assert load_history().startswith("社情民意已有数据")
