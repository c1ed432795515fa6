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
        _register_payable()
        _register_area_tasks()
        _register_foryou_sources()


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
    # A swap's rupees: the statement links to the swap (its public id).
    reference_kind_register(
        "marketplace_exchange",
        label=lambda public_id: _("Swap"),
        link=lambda public_id: reverse("marketplace:swap", args=[public_id]),
    )


def _register_payable() -> None:
    """Card and UPI purchases are paid through commerce's payment path."""
    from commerce.services import payable_register

    from .kinds import PAYABLE
    from .purchases.payable import PurchasePayable

    payable_register(PAYABLE, PurchasePayable())
    # escrow:marketplace == the price of every paid or disputed purchase (reconcile_ledger)
    from wallet.services import reconciliation_check_register

    from .disputes.services import receivable_problems
    from .purchases.services import escrow_problems

    reconciliation_check_register(escrow_problems)
    # marketplace:receivable fronted == what sellers still owe after refunds after release
    reconciliation_check_register(receivable_problems)


def _register_area_tasks() -> None:
    # Celery discovers marketplace.tasks only; each area keeps its tasks beside its services.
    from .disputes import tasks as _disputes  # noqa: F401
    from .listings import tasks as _listings  # noqa: F401
    from .locker import tasks as _locker  # noqa: F401
    from .purchases import tasks as _purchases  # noqa: F401
    from .scan import tasks as _scan  # noqa: F401
    from .swaps import tasks as _swaps  # noqa: F401


def _register_foryou_sources() -> None:
    """Offers' "For you" rail learns from the coupons a shopper keeps, and leaves out offers
    whose code is already in their locker (offers can't read the locker)."""
    from offers.selectors import taste_source_register, used_offer_source_register

    from .locker.selectors import locker_offer_ids, locker_owners_since, locker_taste

    taste_source_register("marketplace.locker", locker_taste, active=locker_owners_since)
    used_offer_source_register("marketplace.locker", locker_offer_ids)
