from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from . import cache_coherence

        cache_coherence.connect()
        _register_notification_kinds()
        _register_merchant_offers()
        _register_rollups()


def _register_notification_kinds() -> None:
    """The notifications offers sends (accounts delivers them and knows none of them)."""
    from accounts.services import NotificationKind, notification_kind_register

    from .books.common import REMINDER_KIND

    # A claimed unique code is about to expire (3 days before, and on the day).
    notification_kind_register(
        REMINDER_KIND, NotificationKind(label=_("Code expiring"), icon="clock")
    )


def _register_merchant_offers() -> None:
    """Merchant cards (catalog) count a store's live offers by offers' own rule."""
    from catalog.selectors import merchant_offers_register

    from .selectors import MERCHANT_OFFERS

    merchant_offers_register(MERCHANT_OFFERS)


def _register_rollups() -> None:
    """Each store's daily views and clicks for the operators' dashboard (coupzii.core.rollups)."""
    from coupzii.core import rollups

    from . import rollups as store_rollups

    rollups.register(store_rollups.ROLLUP)
