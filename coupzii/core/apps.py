from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coupzii.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connects the Celery signals that count task outcomes, in web processes and workers.
        from . import metrics  # noqa: F401
