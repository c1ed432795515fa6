"""Notifications: what the app tells a user, in-app and by email and SMS.

- kinds.py: the registry of kinds; each app registers the kinds it sends in its ready().
- services.py: sending, delivering and marking read (the channel rules are in its docstring).
- selectors.py: the reads behind the bell.
- api.py / api_urls.py and views.py / urls.py: the API under /api/v1/notifications/ and the
  page under /notifications/.

Other apps import what they need from here (or from accounts.services / accounts.selectors).
"""

from .kinds import (
    NotificationKind,
    notification_kind,
    notification_kind_choices,
    notification_kind_register,
    notification_kinds,
)
from .selectors import notifications_for, unread_count
from .services import (
    CHANNELS,
    EMAIL,
    SMS,
    SMS_MAX_LENGTH,
    Notice,
    delivery_channels,
    in_app_only,
    in_app_only_active,
    notification_deliver,
    notification_mark_read,
    notification_send,
    notifications_mark_all_read,
    notifications_send,
    operators_notify,
)

__all__ = [
    "CHANNELS",
    "EMAIL",
    "SMS",
    "SMS_MAX_LENGTH",
    "Notice",
    "NotificationKind",
    "delivery_channels",
    "in_app_only",
    "in_app_only_active",
    "notification_deliver",
    "notification_kind",
    "notification_kind_choices",
    "notification_kind_register",
    "notification_kinds",
    "notification_mark_read",
    "notification_send",
    "notifications_for",
    "notifications_mark_all_read",
    "notifications_send",
    "operators_notify",
    "unread_count",
]
