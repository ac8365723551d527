"""The README's API session (scripts/api-example.sh), run as written against a live server with personal tokens."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from liaison.api import services as api_services
from liaison.opinions.models import Opinion, Visit
from liaison.suggestions.models import Suggestion

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api-example.sh"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_session_logs_a_visit_and_takes_a_suggestion_through_review(cast, live_server):
    _t, deputy_token = api_services.create_personal_token(
        user=cast.deputy_user, name="README", expires_in_days=None, actor=cast.deputy_user
    )
    _t, staff_token = api_services.create_personal_token(
        user=cast.staff, name="README", expires_in_days=None, actor=cast.staff
    )
    env = {**os.environ, "BASE": live_server.url, "DEPUTY_TOKEN": deputy_token, "STAFF_TOKEN": staff_token}
    run = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    visit = Visit.objects.get()
    assert visit.deputy == cast.deputy and visit.station == cast.station
    opinion = Opinion.objects.get()
    assert "路灯" in opinion.content and opinion.code in run.stdout
    suggestion = Suggestion.objects.get()
    assert suggestion.code in run.stdout and suggestion.state == Suggestion.State.ASSIGNED
    assert suggestion.assignments.get().unit == cast.unit
    lines = run.stdout.strip().splitlines()
    assert lines[-2] == suggestion.get_state_display()
