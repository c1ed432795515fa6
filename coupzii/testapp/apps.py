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


def _register_notification_kinds() -> None:
    from accounts.services import NotificationKind, notification_kind_register

    # A kind accounts has never heard of, sent by accounts/tests/notifications/test_kinds.py.
    notification_kind_register(
        "pledge_update", NotificationKind(label="Pledge update", sms=True, icon="gift")
    )
