"""The marketplace's ledger kinds, platform accounts, payable and notification kinds, registered
when the app starts (`apps.py`): the wallet, commerce and accounts know none of them."""

from django.utils.translation import gettext_lazy as _

# Buyers' money waits here from payment until the seller is paid or the buyer refunded.
ESCROW = "escrow:marketplace"
# What the platform fronted to buyers refunded after their seller was paid, beyond what the
# seller's available balance covered: below zero by the sellers' outstanding debts, paid back
# from their next payouts (disputes area).
RECEIVABLE = "marketplace:receivable"
# The platform's fee on each completed sale (the wallet's account), and card money in (the
# shop's): registered by the apps that own them.
FEES = "fees"
GATEWAY = "gateway"

PAYABLE = "marketplace_purchase"
# The ledger's reference type for purchases (the statement links it to the purchase page).
REFERENCE = "marketplace_purchase"

PAID_BY_GATEWAY = "market_gateway_payment"  # gateway -> escrow (the payment path posts it)
PAID_FROM_WALLET = "market_wallet_payment"  # buyer available -> escrow
REFUNDED_TO_GATEWAY = "market_gateway_refund"  # escrow -> gateway (the payment path posts it)
REFUNDED_TO_WALLET = "market_wallet_refund"  # escrow -> buyer available
RELEASED = "market_release"  # escrow -> seller available + fees
CLAWED_BACK = "market_clawback"  # seller available -> receivable (a refund after the release)
# receivable + fees (the fee given back) -> buyer available: a refund after the release.
REFUNDED_AFTER_RELEASE = "market_refund_after_release"
DEBT_RECOVERED = "market_debt_recovered"  # seller available (a later payout) -> receivable
SWAP_CASH = "market_swap_cash"  # requester available -> responder available

# Notifications (accounts delivers them).
NOTICE_SALE = "market_sale"
NOTICE_PURCHASE = "market_purchase"
NOTICE_DISPUTE = "market_dispute"
NOTICE_SWAP = "market_swap"
NOTICE_PAYOUT = "market_payout"
NOTICE_EXPIRY = "locker_expiry"


def ledger_kinds_register() -> None:
    from wallet.services import ledger_kind_register, platform_account_register

    platform_account_register(ESCROW, label=_("Marketplace escrow"))
    platform_account_register(RECEIVABLE, label=_("Marketplace: owed by sellers"))
    for code, label, statement in (
        (PAID_BY_GATEWAY, _("Marketplace purchase: paid online"), None),
        (PAID_FROM_WALLET, _("Marketplace purchase: paid from wallet"), _("Coupon bought")),
        (REFUNDED_TO_GATEWAY, _("Marketplace purchase refunded online"), None),
        (REFUNDED_TO_WALLET, _("Marketplace purchase refunded to wallet"), _("Coupon refund")),
        (RELEASED, _("Marketplace sale paid to the seller"), _("Coupon sold")),
        (CLAWED_BACK, _("Marketplace sale taken back after a dispute"), _("Sale refunded")),
        (
            REFUNDED_AFTER_RELEASE,
            _("Marketplace purchase refunded after the seller was paid"),
            _("Coupon refund"),
        ),
        (DEBT_RECOVERED, _("Marketplace debt recovered"), _("Owed for a refunded sale")),
        (SWAP_CASH, _("Swap: rupees added"), _("Swap")),
    ):
        ledger_kind_register(code, label=label, statement_label=statement)


def notification_kinds_register() -> None:
    from accounts.services import NotificationKind, notification_kind_register

    for code, label, icon in (
        (NOTICE_SALE, _("Coupon sold"), "coin"),
        (NOTICE_PURCHASE, _("Coupon bought"), "gift"),
        (NOTICE_DISPUTE, _("Dispute update"), "shield"),
        (NOTICE_SWAP, _("Swap request or answer"), "card"),
        (NOTICE_PAYOUT, _("Sale paid out"), "coin"),
        (NOTICE_EXPIRY, _("Coupon expiring soon"), "clock"),
    ):
        notification_kind_register(code, NotificationKind(label=label, icon=icon))
