from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coupzii.core"
    label = "core"
    verbose_name = "Core"
