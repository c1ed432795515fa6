from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Installed only by coupzii.settings.test. Each registration is one small function below
    and one call line in ready()."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coupzii.testapp"
    label = "testapp"
    verbose_name = "Test app"

    def ready(self) -> None:
        _register_notification_kinds()
        _register_payables()
        _register_ledger_kinds()


def _register_notification_kinds() -> None:
    from accounts.services import NotificationKind, notification_kind_register

    # A kind accounts has never heard of, sent by accounts/tests/notifications/test_kinds.py.
    notification_kind_register(
        "pledge_update", NotificationKind(label="Pledge update", sms=True, icon="gift")
    )


def _register_payables() -> None:
    """The pledge, a payable commerce has never heard of, with the escrow account and ledger
    kinds its payments and refunds post (coupzii/testapp/payables.py)."""
    from commerce.services import payable_register
    from wallet.services import ledger_kind_register, platform_account_register

    from .payables import ESCROW, KIND, PAYMENT_KIND, REFUND_KIND, PledgePayable

    platform_account_register(ESCROW, label="Escrow: pledges")
    ledger_kind_register(PAYMENT_KIND, label="Pledge paid")
    ledger_kind_register(REFUND_KIND, label="Pledge refunded", statement_label="Pledge refund")
    payable_register(KIND, PledgePayable())


def _register_ledger_kinds() -> None:
    """A ledger transaction kind and a platform account the wallet has never heard of, posted
    by wallet/tests/test_ledger.py with no wallet migration."""
    from wallet.services import ledger_kind_register, platform_account_register

    platform_account_register("testapp:sponsor", label="Sponsor pool")
    ledger_kind_register("testapp_grant", label="Grant paid", statement_label="Grant")
