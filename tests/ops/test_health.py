"""Health, readiness and metrics as a load balancer and a monitoring system see them."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from liaison.notify.models import Notification
from liaison.ops.health import beat
from liaison.ops.models import Heartbeat

pytestmark = pytest.mark.django_db


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_it_answers_liveness_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_it_is_ready_once_the_worker_has_run_and_turns_503_when_it_stops(cast, client, settings):
    status, body = _ready(client)
    assert status == 503 and not body["checks"]["worker"]["ok"] and "从未运行" in body["checks"]["worker"]["detail"]
    call_command("worker", no_periodic=True)
    call_command("refresh_rollups")
    status, body = _ready(client)
    assert status == 200 and body["status"] == "ok", body
    # The worker stopped: its last beat is older than the limit.
    Heartbeat.objects.update(
        beat_at=timezone.now() - datetime.timedelta(seconds=settings.LIAISON_WORKER_HEARTBEAT_MAX + 5)
    )
    status, body = _ready(client)
    assert status == 503 and body["status"] == "unavailable"
    assert "无心跳" in body["checks"]["worker"]["detail"] and body["checks"]["database"]["ok"]
    beat()
    assert _ready(client)[0] == 200


def test_it_is_not_ready_while_the_outbox_lags(cast, client, settings):
    beat()
    call_command("refresh_rollups")
    stuck = Notification.objects.create(recipient=cast.staff, subject="催办")
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.LIAISON_OUTBOX_LAG_MAX + 60)
    )
    status, body = _ready(client)
    assert status == 503 and not body["checks"]["outbox"]["ok"] and body["checks"]["worker"]["ok"]


def test_it_shows_metrics_to_the_monitoring_address_or_token_only(cast, client, settings):
    from django.test import Client

    beat()
    Notification.objects.create(recipient=cast.staff, subject="待发")
    client.get("/healthz")
    settings.LIAISON_METRICS_ALLOW = ["127.0.0.1"]
    text = client.get("/metrics").content.decode()  # the test client comes from 127.0.0.1
    assert 'liaison_outbox_notifications{status="pending"} 1.0' in text
    assert 'liaison_request_seconds_count{method="GET",route="healthz",status="2xx"}' in text
    assert 'liaison_heartbeat_age_seconds{name="worker"}' in text
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    assert outsider.get("/metrics").status_code == 403
    settings.LIAISON_METRICS_TOKEN = "s3cret-token-for-prometheus"
    with_token = outsider.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert with_token.status_code == 200 and "liaison_overdue_assignments" in with_token.content.decode()
