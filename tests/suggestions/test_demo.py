import pytest
from django.core.management import call_command

from liaison.events.services import verify_chain
from liaison.org.models import User
from liaison.suggestions.models import Assignment, CoSigner, Suggestion
from liaison.suggestions.selectors import suggestions_visible_to

pytestmark = pytest.mark.django_db


def test_it_loads_a_year_of_suggestions_with_work_waiting_for_each_demo_account(client):
    call_command("loaddemo", verbosity=0)
    assert 2000 <= Suggestion.objects.count() <= 5000
    states = set(Suggestion.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "accepted", "handling", "answered", "closed", "rejected", "rehandling"} <= states
    assert Assignment.objects.filter(flag="red").exists()
    story = Suggestion.objects.get(title="关于维修缘溪村村口石桥并加装护栏的建议")
    assert story.state == "closed" and story.sources.count() == 2 and verify_chain("suggestion", story.code)
    assert all(s.opinion.state == "outcome_recorded" for s in story.sources.select_related("opinion"))
    staff = User.objects.get(username="shitai_staff")
    assert suggestions_visible_to(staff).filter(state="submitted").exists()
    assert Assignment.objects.filter(unit__code="U341722-ZJJ", state="assigned").exists()
    deputy = User.objects.get(username="deputy")
    assert Suggestion.objects.filter(lead_deputy=deputy.deputy, state="answered").exists()
    deputy2 = User.objects.get(username="deputy2")
    assert CoSigner.objects.filter(deputy=deputy2.deputy, state="invited").exists()
    for username, url in [
        ("shitai_staff", "/suggestions/review/"),
        ("unit_zjj", "/units/inbox/"),
        ("deputy", f"/suggestions/{story.code}/"),
        ("deputy", "/"),
    ]:
        client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200
