"""The notification centre: the unread count in the navigation bar for every role, the list of one's own
notifications (newest first, paged, each linking to its item), mark one read and mark all read."""

import re

import pytest
from django.test import Client

from liaison.notify.models import Notification
from liaison.notify.services import queue_notification

pytestmark = pytest.mark.django_db

ROLES = ("deputy_user", "head", "officer", "village", "staff", "township_staff", "city_staff", "unit_user", "leader")
BADGE = re.compile(r'class="badge text-bg-warning" aria-label="未读通知">(\d+)</span>')


def _notice(user, subject, link="/opinions/"):
    return queue_notification(recipient=user, subject=subject, link=link)


def _badge(client) -> int | None:
    found = BADGE.search(client.get("/notifications/").content.decode())
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_unread_count_in_the_nav(cast, client_for, role):
    user = getattr(cast, role)
    Notification.objects.filter(recipient=user).delete()
    client = client_for(user)
    assert _badge(client) is None
    for i in range(3):
        _notice(user, f"待办事项{i}")
    _notice(cast.outsider, "东至县的事项")
    assert _badge(client) == 3
    home = client.get("/").content.decode()
    assert BADGE.search(home).group(1) == "3"


def test_the_list_shows_only_ones_own_newest_first_with_links(cast, client_for):
    _notice(cast.staff, "较早的通知", link="/opinions/")
    _notice(cast.staff, "较新的通知", link="/suggestions/")
    _notice(cast.outsider, "东至县的通知")
    text = client_for(cast.staff).get("/notifications/").content.decode()
    assert "东至县的通知" not in text
    assert text.index("较新的通知") < text.index("较早的通知")
    assert '<a href="/suggestions/">较新的通知</a>' in text
    assert '<a href="/opinions/">较早的通知</a>' in text


def test_the_list_is_paged(cast, client_for):
    Notification.objects.filter(recipient=cast.staff).delete()
    for i in range(35):
        _notice(cast.staff, f"通知第{i:02d}条")
    client = client_for(cast.staff)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    assert "通知第34条" in first and "通知第04条" not in first
    assert "通知第04条" in second and "通知第34条" not in second
    assert "第 1 / 2 页" in first


def test_mark_one_read(cast, client_for):
    Notification.objects.filter(recipient=cast.staff).delete()
    keep, read = _notice(cast.staff, "保留未读"), _notice(cast.staff, "将要已读")
    client = client_for(cast.staff)
    response = client.post(f"/notifications/{read.pk}/read/")
    assert response.status_code == 302
    read.refresh_from_db()
    keep.refresh_from_db()
    assert read.read_at is not None and keep.read_at is None
    assert _badge(client) == 1


def test_anothers_notification_answers_404_and_stays_unread(cast, client_for):
    theirs = _notice(cast.outsider, "东至县的通知")
    assert client_for(cast.staff).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(cast, client_for):
    for i in range(3):
        _notice(cast.staff, f"通知{i}")
    theirs = _notice(cast.outsider, "东至县的通知")
    client = client_for(cast.staff)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=cast.staff, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    text = client.get("/notifications/").content.decode()
    assert _badge(client) is None and "全部标为已读" not in text


def test_mark_read_needs_csrf(cast):
    n = _notice(cast.staff, "通知")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff)
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 403
    n.refresh_from_db()
    assert n.read_at is None


def test_anonymous_is_sent_to_login():
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_english(cast, client_for):
    Notification.objects.filter(recipient=cast.staff).delete()
    _notice(cast.staff, "通知")
    client = client_for(cast.staff)
    client.cookies["django_language"] = "en"
    text = client.get("/notifications/").content.decode()
    assert "Mark all read" in text and "Mark read" in text and "Unread" in text
