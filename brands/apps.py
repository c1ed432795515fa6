from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("Brands")

    def ready(self) -> None:
        _register_team()
        _register_analytics_tasks()
        _register_webhooks()
        _register_till()
        _register_book_tasks()
        _register_coupon_tasks()


def _register_analytics_tasks() -> None:
    # Celery discovers brands.tasks only; the analytics rollup's task lives in its area.
    from .analytics import tasks  # noqa: F401


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


def _register_till() -> None:
    """The till's redemption guards (a key's lock, webhook events; the budgets' conditional
    spend) and the notification owners and admins get when a budget reaches 80% and 100%."""
    from accounts.services import NotificationKind, notification_kind_register
    from offers.services import redemption_guard_register

    from .till.budgets import BUDGET_NOTIFICATION_KIND, budget_guard
    from .till.guards import till_guard

    redemption_guard_register(till_guard)
    redemption_guard_register(budget_guard)
    notification_kind_register(
        BUDGET_NOTIFICATION_KIND, NotificationKind(label=_("Budget alert"), icon="shield")
    )


def _register_coupon_tasks() -> None:
    # Celery discovers brands.tasks only; a large coupon upload's task lives in its area.
    from .coupons import tasks  # noqa: F401


def _register_book_tasks() -> None:
    # Celery discovers brands.tasks only; the code books' generate/import job task lives in
    # its area.
    from .books import tasks  # noqa: F401


def _register_team() -> None:
    """The team's Celery task (invitation emails) and the notification owners get when
    operators verify, reject or suspend their brand."""
    from accounts.services import NotificationKind, notification_kind_register

    from .team import tasks  # noqa: F401
    from .team.services import BRAND_STATUS_KIND

    notification_kind_register(
        BRAND_STATUS_KIND,
        NotificationKind(label=_("Brand verification"), icon="shield", email_despite_opt_out=True),
    )
