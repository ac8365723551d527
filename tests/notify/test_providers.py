import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from liaison.notify import providers
from liaison.notify.models import Notification
from liaison.notify.services import deliver_pending, queue_notification

pytestmark = pytest.mark.django_db


class FakeGateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeGateway.received.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
        self.send_response(FakeGateway.status)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    FakeGateway.received, FakeGateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_it_sends_sms_through_the_http_gateway(cast, settings, gateway):
    settings.SMS_GATEWAY_URL = gateway
    settings.SMS_TEMPLATE = "【联络站】{subject}"
    settings.NOTIFY_PROVIDERS = ["sms"]
    cast.unit_user.phone = "13900001111"
    cast.unit_user.save()
    queue_notification(recipient=cast.unit_user, subject="催办：请答复", link="/units/inbox/")
    assert deliver_pending() == 1
    content_type, payload = FakeGateway.received[0]
    assert content_type == "application/json"
    assert payload == {"phone": "13900001111", "text": "【联络站】催办：请答复"}
    assert Notification.objects.get().status == "sent"


def test_it_retries_when_the_sms_gateway_fails(cast, settings, gateway):
    settings.SMS_GATEWAY_URL = gateway
    settings.NOTIFY_PROVIDERS = ["sms"]
    FakeGateway.status = 500
    queue_notification(phone="13900001111", subject="测试")
    assert deliver_pending() == 0
    n = Notification.objects.get()
    assert n.status == "pending" and n.attempts == 1 and "500" in n.last_error


def test_it_skips_sms_without_a_phone_or_gateway(cast, settings, gateway):
    settings.NOTIFY_PROVIDERS = ["sms"]
    # No gateway configured: nothing leaves the server, and the message is not retried for ever.
    settings.SMS_GATEWAY_URL = ""
    queue_notification(phone="13900001111", subject="没有短信网关")
    assert deliver_pending() == 1
    # A gateway, but a recipient without a phone number: nothing is posted to it either.
    settings.SMS_GATEWAY_URL = gateway
    assert not cast.staff.phone
    queue_notification(recipient=cast.staff, subject="没有手机号")
    assert deliver_pending() == 1
    assert FakeGateway.received == []
    assert list(Notification.objects.values_list("status", "attempts", "last_error")) == [("sent", 1, "")] * 2
    # The same gateway does receive a message for a phone number (the skip above was not an outage).
    providers.sms(Notification(subject="有手机号", phone="13900001111"))
    assert [payload["phone"] for _, payload in FakeGateway.received] == ["13900001111"]


def test_it_sends_email_over_smtp_provider(cast, settings):
    settings.NOTIFY_PROVIDERS = ["smtp"]
    cast.staff.email = "staff@example.org"
    cast.staff.save()
    queue_notification(recipient=cast.staff, subject="收到代表建议", body="请审查", link="/suggestions/review/")
    assert deliver_pending() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff@example.org"] and message.subject == "收到代表建议"
    assert "/suggestions/review/" in message.body


def test_it_queues_a_key_only_once(cast):
    assert queue_notification(recipient=cast.staff, subject="a", key="k1") is not None
    assert queue_notification(recipient=cast.staff, subject="a", key="k1") is None
    assert Notification.objects.filter(key="k1").count() == 1


def test_it_delivers_pending_notifications_with_the_worker(cast, settings):
    from django.core.management import call_command

    settings.NOTIFY_PROVIDERS = ["console"]
    for i in range(3):
        queue_notification(recipient=cast.unit_user, subject=f"通知{i}")
    call_command("worker", verbosity=0)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    call_command("worker", verbosity=0)
    assert Notification.objects.filter(attempts=1).count() == 3  # nothing sent twice


def test_it_shows_unread_notifications_on_the_home_page(cast, client_for):
    queue_notification(recipient=cast.unit_user, subject="新交办建议，请签收", link="/units/inbox/")
    page = client_for(cast.unit_user).get("/").content.decode()
    assert "新交办建议，请签收" in page
