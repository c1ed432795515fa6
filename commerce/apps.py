from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commerce"
    verbose_name = _("Gift-card shop")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session import cart_merge_on_login

        # Django's login() is the only place that knows both the signed-out session and the
        # user: the receiver (a thin adapter) reads the visitor's cart token from the session
        # and hands it to the cart service, which does the work.
        user_logged_in.connect(cart_merge_on_login, dispatch_uid="commerce-cart-merge")
        _register_wallet_references()
        _register_ledger_kinds()
        _register_notification_kinds()
        _register_payables()
        _register_foryou_sources()
        _register_rollups()


def _register_ledger_kinds() -> None:
    """The shop's ledger transaction kinds and platform accounts (commerce.ledger_kinds)."""
    from .ledger_kinds import ledger_kinds_register

    ledger_kinds_register()


def _register_wallet_references() -> None:
    """The shopper's wallet statement names and links the orders the wallet paid or refunded:
    the wallet stores only their number and doesn't know the shop."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from wallet.selectors import reference_kind_register

    reference_kind_register(
        "order",
        label=lambda number: _("Order %(number)s") % {"number": number},
        link=lambda number: reverse("commerce:order", args=[number]),
    )


def _register_notification_kinds() -> None:
    """The notifications the shop sends (accounts delivers them and knows none of them)."""
    from django.utils.translation import gettext_lazy as _

    from accounts.services import NotificationKind, notification_kind_register

    notification_kind_register(
        "order_update", NotificationKind(label=_("Order update"), sms=True, icon="parcel")
    )


def _register_payables() -> None:
    """Shop orders are paid through the payment path as any app's payable is."""
    from .services import payable_register
    from .services.order_payable import KIND, OrderPayable

    payable_register(KIND, OrderPayable())


def _register_rollups() -> None:
    """Orders by day and status, and sales by day and category, for the operators' dashboard."""
    from coupzii.core import rollups

    from . import rollups as shop_rollups

    rollups.register(shop_rollups.ORDER_DAYS)
    rollups.register(shop_rollups.SALES_DAYS)


def _register_foryou_sources() -> None:
    """Offers' "For you" rail learns from the gift cards a shopper buys (offers can't read
    orders: commerce sits above it)."""
    from offers.selectors import taste_source_register

    from .selectors import order_taste, shoppers_who_paid_since

    taste_source_register("commerce.orders", order_taste, active=shoppers_who_paid_since)
