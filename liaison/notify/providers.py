"""Delivery providers. Each takes a Notification and raises on failure."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from liaison.lib.masking import mask_phone

log = logging.getLogger("liaison.notify")


def console(n) -> None:
    # Never a phone number in a log line (residents' phones are personal data): masked.
    log.info("通知 → %s: %s %s", n.recipient or mask_phone(n.phone) or n.email, n.subject, n.link)


def smtp(n) -> None:
    address = n.email or getattr(n.recipient, "email", "")
    if address:
        send_mail(n.subject, f"{n.body}\n\n{settings.SITE_URL}{n.link}", None, [address])


def sms(n) -> None:
    """POST JSON {"phone", "text"} to the configured SMS gateway (LIAISON_SMS_URL)."""
    phone = n.phone or getattr(n.recipient, "phone", "")
    if not phone or not settings.SMS_GATEWAY_URL:
        return
    text = settings.SMS_TEMPLATE.format(subject=n.subject, body=n.body, link=n.link)
    request = urllib.request.Request(
        settings.SMS_GATEWAY_URL,
        data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status >= 300:
            raise RuntimeError(f"SMS gateway answered {response.status}")


PROVIDERS = {"console": console, "smtp": smtp, "sms": sms}
