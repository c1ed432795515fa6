from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("Brands")

    def ready(self) -> None:
        _register_webhooks()


def _register_webhooks() -> None:
    """The webhooks' Celery tasks, and the notification owners get when an endpoint that
    kept failing is switched off."""
    from accounts.services import NotificationKind, notification_kind_register

    from .webhooks import tasks  # noqa: F401
    from .webhooks.services import NOTIFICATION_KIND

    notification_kind_register(
        NOTIFICATION_KIND,
        NotificationKind(
            label=_("Webhook switched off"), icon="shield", email_despite_opt_out=True
        ),
    )
