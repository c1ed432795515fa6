from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        # Celery discovers assistant.tasks only; voice keeps its jobs beside its services.
        from .voice import tasks as _voice  # noqa: F401
