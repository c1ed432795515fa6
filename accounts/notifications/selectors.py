"""Reads behind the bell: a user's notifications and how many are unread."""

from django.db.models import QuerySet

from ..models import Notification, User


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (the model's ordering)."""
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
