from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "wallet"
    verbose_name = _("Wallet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        _register_notification_kinds()


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
