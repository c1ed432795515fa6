from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        from . import kinds

        kinds.ledger_kinds_register()
        kinds.notification_kinds_register()
        _register_wallet_references()
        _register_area_tasks()


def _register_wallet_references() -> None:
    """The wallet statement names and links the purchases it paid, refunded or paid out."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from wallet.selectors import reference_kind_register

    from .kinds import REFERENCE

    reference_kind_register(
        REFERENCE,
        label=lambda number: _("Marketplace purchase %(number)s") % {"number": number},
        link=lambda number: reverse("marketplace:purchase", args=[number]),
    )


def _register_area_tasks() -> None:
    # Celery discovers marketplace.tasks only; each area keeps its tasks beside its services.
    from .disputes import tasks as _disputes  # noqa: F401
    from .locker import tasks as _locker  # noqa: F401
    from .purchases import tasks as _purchases  # noqa: F401
    from .scan import tasks as _scan  # noqa: F401
    from .swaps import tasks as _swaps  # noqa: F401
