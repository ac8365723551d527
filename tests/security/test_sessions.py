"""Signing out an idle session (LIAISON_SESSION_IDLE_MINUTES) and any session a working day after sign-in."""

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine

from liaison.security.models import LoginRecord
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def signed_in(client, cast):
    client.post("/accounts/login/", {"username": cast.staff.username, "password": PASSWORD})
    return client


def test_it_signs_out_after_thirty_idle_minutes(cast, client):
    with time_machine.travel(START, tick=False) as clock:
        signed_in(client, cast)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # active 29 minutes ago: still signed in
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/opinions/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "长时间未操作，已自动退出" in response.content.decode()
    assert LoginRecord.objects.filter(kind=LoginRecord.Kind.TIMEOUT, user=cast.staff).count() == 1


def test_it_signs_out_eight_hours_after_sign_in_however_busy(cast, client):
    with time_machine.travel(START, tick=False) as clock:
        signed_in(client, cast)
        for _ in range(16):
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 8 h 13 min after signing in
        assert client.get("/").url.startswith("/accounts/login/")


def test_it_keeps_sessions_when_the_idle_limit_is_zero(cast, client, settings):
    settings.SESSION_IDLE_SECONDS = 0
    with time_machine.travel(START, tick=False) as clock:
        signed_in(client, cast)
        clock.shift(dt.timedelta(hours=2))
        assert client.get("/").status_code == 200


def test_it_reads_the_idle_limit_from_the_environment():
    env = {**os.environ, "LIAISON_SESSION_IDLE_MINUTES": "15"}
    out = subprocess.run(
        [sys.executable, "-c", "import liaison.settings as s; print(s.SESSION_IDLE_SECONDS)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "900"
