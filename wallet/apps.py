from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "wallet"
    verbose_name = _("Wallet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .ledger import platform_accounts_create

        _register_ledger_kinds()
        _register_notification_kinds()
        _register_rollups()
        # After migrate, and after each flush of a test database (which also sends it): the
        # registered platform accounts exist, and the per-process cache of their ids is fresh
        # (nothing is created while the wallet's tables are missing or before 0006).
        post_migrate.connect(
            platform_accounts_create, sender=self, dispatch_uid="wallet-platform-accounts"
        )


def _register_ledger_kinds() -> None:
    """The wallet's own transaction kinds and platform accounts (other apps register theirs)."""
    from .kinds import ledger_kind_register, platform_account_register

    for code, label in (
        ("cashback_payable", _("Cashback payable")),
        ("payouts", _("Payouts")),
        ("promotions", _("Promotions")),
        ("fees", _("Fees")),
    ):
        platform_account_register(code, label=label)
    for code, label in (
        ("cashback_pending", _("Cashback reported")),
        ("cashback_confirmed", _("Cashback confirmed")),
        ("cashback_declined", _("Cashback declined")),
        ("cashback_clawback", _("Cashback reversed")),
        ("debt_recovery", _("Reversed cashback recovered")),
        ("referral_bonus", _("Referral bonus")),
        ("welcome_bonus", _("Welcome bonus")),
        ("withdrawal_hold", _("Withdrawal requested")),
        ("withdrawal_paid", _("Withdrawal paid")),
        ("withdrawal_released", _("Withdrawal returned")),
    ):
        # The shopper's statement calls them as the back office does.
        ledger_kind_register(code, label=label, statement_label=label)


def _register_notification_kinds() -> None:
    """The notifications the wallet sends (accounts delivers them and knows none of them)."""
    from accounts.services import NotificationKind, notification_kind_register

    # Pending cashback arrives often and may still be declined: not worth a text.
    notification_kind_register(
        "cashback_pending", NotificationKind(label=_("Cashback pending"), icon="coin")
    )
    notification_kind_register(
        "cashback_confirmed",
        NotificationKind(label=_("Cashback confirmed"), sms=True, icon="coin"),
    )
    # A decline takes back cashback that was never spendable; a reversal takes back cashback
    # that was: that one is worth a text.
    notification_kind_register(
        "cashback_declined", NotificationKind(label=_("Cashback declined"), icon="coin")
    )
    notification_kind_register(
        "cashback_reversed",
        NotificationKind(label=_("Cashback reversed"), sms=True, icon="coin"),
    )
    notification_kind_register(
        "withdrawal_update",
        NotificationKind(label=_("Withdrawal update"), sms=True, icon="card"),
    )
    notification_kind_register(
        "referral_joined",
        NotificationKind(label=_("Referral joined"), icon="person_plus"),
    )


def _register_rollups() -> None:
    """Cashback by day and stage, and payouts by day, for the operators' dashboard."""
    from coupzii.core import rollups

    from . import rollups as wallet_rollups

    rollups.register(wallet_rollups.CASHBACK_DAYS)
    rollups.register(wallet_rollups.PAYOUT_DAYS)
