from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coupzii.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connect Celery signals in web processes and workers: metrics counts task outcomes;
        # task_runs records beat tasks' runs (TaskRun) and stamps each message's publish time.
        from . import metrics, task_runs  # noqa: F401
