"""Signed webhooks, against a real HTTP receiver on 127.0.0.1 (liaison/webhooks)."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from liaison.events.services import record_event
from liaison.webhooks import services
from liaison.webhooks.models import Delivery, Webhook
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


class Receiver:
    """A receiver that records every request and answers with the next status of `answers` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hook(receiver):
    services.forget_cached_webhooks()
    webhook = Webhook.objects.create(name="省数字人大平台", url=receiver.url, kinds="opinion.*")
    yield webhook
    services.forget_cached_webhooks()


def _deliver_all():
    call_command("deliver_webhooks")


def test_an_event_reaches_the_receiver_signed_and_without_personal_data(cast, receiver, hook):
    opinion, _password = make_opinion(cast, resident_name="陈桂花", resident_phone="13800001111")
    record_event(subject_type="suggestion", subject_id="JY-1", action="submit")  # a kind this webhook did not ask for
    _deliver_all()
    assert [e["kind"] for e in receiver.events()] == ["opinion.registered"]
    request = receiver.requests[0]
    event = receiver.events()[0]
    assert event["subject"] == {"type": "opinion", "id": opinion.code} and event["to_state"] == opinion.state
    body = request["body"].decode()
    assert "陈桂花" not in body and "13800001111" not in body and cast.officer.username not in body
    headers = request["headers"]
    assert headers["X-Liaison-Event"] == "opinion.registered"
    expected = hmac.new(
        hook.secret.encode(), headers["X-Liaison-Timestamp"].encode() + b"." + request["body"], hashlib.sha256
    )
    assert headers["X-Liaison-Signature"] == "sha256=" + expected.hexdigest()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.last_status == 200
    _deliver_all()
    assert len(receiver.requests) == 1  # delivered once, not again


def test_a_failing_receiver_is_retried_with_back_off_and_the_same_delivery_id(cast, receiver, hook):
    receiver.answers = [503, 500]
    make_opinion(cast)
    _deliver_all()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1 and delivery.last_status == 503
    wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= datetime.timedelta(seconds=30)
    _deliver_all()  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    Delivery.objects.update(next_attempt_at=timezone.now())
    _deliver_all()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status == 500
    assert datetime.timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= datetime.timedelta(minutes=1)
    Delivery.objects.update(next_attempt_at=timezone.now())
    _deliver_all()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 3
    ids = {r["headers"]["X-Liaison-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)} and len(receiver.requests) == 3


def test_back_off_doubles_and_is_capped():
    waits = [services.retry_delay(n) for n in range(1, 13)]
    assert waits[:4] == [datetime.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == datetime.timedelta(hours=6) and waits == sorted(waits)


def test_a_receiver_that_never_answers_is_given_up_after_the_last_try(cast, hook):
    hook.url = "http://127.0.0.1:1/nothing-listens"
    hook.save()
    services.forget_cached_webhooks()
    make_opinion(cast)
    for _ in range(services.MAX_ATTEMPTS):
        Delivery.objects.update(next_attempt_at=timezone.now())
        _deliver_all()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == services.MAX_ATTEMPTS
    assert delivery.last_status is None and delivery.last_error


def test_an_event_rolled_back_is_never_sent(cast, receiver, hook):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_opinion(cast)
        raise RuntimeError("the request failed after the event")
    _deliver_all()
    assert not Delivery.objects.exists() and receiver.requests == []


def test_public_only_webhooks_get_only_what_residents_may_see(cast, receiver, hook):
    hook.kinds = "*"
    hook.public_only = True
    hook.save()
    services.forget_cached_webhooks()
    record_event(subject_type="opinion", subject_id="X1", action="note")
    record_event(subject_type="opinion", subject_id="X1", action="reply", public=True)
    _deliver_all()
    assert [e["kind"] for e in receiver.events()] == ["opinion.reply"]


def test_an_inactive_webhook_gets_nothing(cast, receiver, hook):
    hook.active = False
    hook.save()
    services.forget_cached_webhooks()
    make_opinion(cast)
    _deliver_all()
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_the_delivery_log_in_admin_shows_and_retries(cast, receiver, hook, client):
    from liaison.org.models import User

    receiver.answers = [500]
    make_opinion(cast)
    _deliver_all()
    admin = User.objects.create_superuser("hookadmin", password="x")
    client.force_login(admin)
    page = client.get("/admin/webhooks/delivery/")
    assert page.status_code == 200 and "opinion.registered" in page.content.decode()
    delivery = Delivery.objects.get()
    response = client.post(
        "/admin/webhooks/delivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "已安排重新推送 1 条" in response.content.decode()
    _deliver_all()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
