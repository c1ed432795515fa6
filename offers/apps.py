from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from . import cache_coherence

        cache_coherence.connect()
        _register_notification_kinds()


def _register_notification_kinds() -> None:
    """The notifications offers sends (accounts delivers them and knows none of them)."""
    from accounts.notifications import NotificationKind, notification_kind_register

    from .books.common import REMINDER_KIND

    # A claimed unique code is about to expire (3 days before, and on the day).
    notification_kind_register(
        REMINDER_KIND, NotificationKind(label=_("Code expiring"), icon="clock")
    )
