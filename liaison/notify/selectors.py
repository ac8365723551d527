"""Reads of the notification centre: a user sees only their own notifications."""

from .models import Notification


def notifications_of(user):
    """The user's own notifications, newest first (anyone else's are never in it: their ids answer 404)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
