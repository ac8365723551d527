"""The suggestion loop's steps in a real browser: each role sees the buttons its lifecycle allows, and a click
goes through the same service as every other channel."""

import pytest

from liaison.suggestions.models import Assignment, State, Suggestion
from tests.suggestions.helpers import submitted

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_lets_staff_accept_and_assign_and_the_unit_sign(cast, login, live_server, tmp_path):
    s = submitted(cast)
    page = login(cast.staff)
    page.goto(f"{live_server.url}/suggestions/{s.code}/")
    assert page.locator("text=提交审查意见").count() == 1
    assert page.locator("text=办结").count() == 0  # not offered before an answer
    page.select_option("#id_decision", "accept")
    page.click("text=提交审查意见")
    page.wait_for_url(f"**/suggestions/{s.code}/assign/")
    page.select_option("#id_lead", str(cast.unit.pk))
    page.click("button:has-text('交办')")
    page.wait_for_url(f"**/suggestions/{s.code}/")
    assert Suggestion.objects.get(pk=s.pk).state == State.ASSIGNED
    page.screenshot(path=str(tmp_path / "staff.png"), full_page=True)

    lead = Assignment.objects.get(suggestion=s, unit=cast.unit)
    page.context.clear_cookies()
    unit_page = login(cast.unit_user)
    unit_page.goto(f"{live_server.url}/units/assignments/{lead.code}/")
    assert unit_page.locator("button:has-text('签收')").count() == 1
    assert unit_page.locator("text=提交答复").count() == 0  # answering comes after signing
    unit_page.click("button:has-text('签收')")
    unit_page.wait_for_load_state()
    assert Assignment.objects.get(pk=lead.pk).state == Assignment.State.SIGNED
    assert unit_page.locator("text=提交答复").count() == 1
    assert unit_page.locator("button:has-text('签收')").count() == 0
