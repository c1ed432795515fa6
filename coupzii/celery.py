"""The Celery application: configuration from Django settings (CELERY_*), tasks from every app."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coupzii.settings.base")

app = Celery("coupzii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _serve_metrics(**kwargs) -> None:
    # Task outcomes and retries are counted in the worker (coupzii.core.metrics); Prometheus
    # scrapes them from this port (deploy/compose.yaml). Off unless CELERY_METRICS_PORT is set.
    port = int(os.environ.get("CELERY_METRICS_PORT") or 0)
    if port:
        from coupzii.core.metrics import serve_worker_metrics

        serve_worker_metrics(port)


@worker_process_shutdown.connect
def _retire_metrics(pid=None, **kwargs) -> None:
    from coupzii.core.metrics import mark_process_dead

    mark_process_dead(pid or os.getpid())
