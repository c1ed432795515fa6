from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Installed only by coupzii.settings.test. Each registration is one small function below
    and one call line in ready()."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coupzii.testapp"
    label = "testapp"
    verbose_name = "Test app"

    def ready(self) -> None:
        pass
