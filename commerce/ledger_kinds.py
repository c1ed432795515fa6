"""The shop's ledger transaction kinds and platform accounts, registered with the wallet when
commerce starts (`apps.py`): the wallet knows none of them."""

from django.utils.translation import gettext_lazy as _

# Platform accounts: card money in (gateway), held until the codes go out (the shop's escrow),
# then the shop's takings (sales).
GATEWAY = "gateway"
ESCROW = "escrow:shop"
SALES = "sales"
SHOP_ACCOUNTS = (GATEWAY, ESCROW, SALES)

ORDER_WALLET_HOLD = "order_wallet_hold"
ORDER_WALLET_RELEASED = "order_wallet_released"
ORDER_PAYMENT = "order_payment"
ORDER_FULFILLED = "order_fulfilled"
ORDER_REFUND = "order_refund"


def ledger_kinds_register() -> None:
    from wallet.services import ledger_kind_register, platform_account_register

    platform_account_register(GATEWAY, label=_("Gateway"))
    platform_account_register(ESCROW, label=_("Escrow"))
    platform_account_register(SALES, label=_("Gift-card sales"))
    # (kind, back-office label, the shopper's statement label or None to leave it off: a
    # delivered order settling the held wallet share changes nothing the shopper sees).
    for code, label, statement in (
        (
            ORDER_WALLET_HOLD,
            _("Gift-card order: wallet share held"),
            _("Wallet spent on an order"),
        ),
        (
            ORDER_WALLET_RELEASED,
            _("Gift-card order cancelled: returned"),
            _("Order not completed: wallet returned"),
        ),
        (ORDER_PAYMENT, _("Gift-card order: paid online"), None),
        (ORDER_FULFILLED, _("Gift-card order delivered"), None),
        (ORDER_REFUND, _("Gift-card order refunded"), _("Order refund")),
    ):
        ledger_kind_register(code, label=label, statement_label=statement)
