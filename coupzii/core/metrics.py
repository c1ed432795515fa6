"""Prometheus metrics: what web processes and Celery workers count, and their exposition.

prometheus-client keeps each metric in the process that counts it. Under gunicorn (several
worker processes) and Celery's prefork pool, PROMETHEUS_MULTIPROC_DIR makes every process
write its values to files in that folder, and a scrape adds them up (deploy/gunicorn.conf.py
prepares the folder and retires a dead worker's files). Without it, as in `make run` and the
tests, one process holds everything in memory.

Counts that are really the database's state (orders by status and the like) are not counted
here: coupzii/metrics.py reads them at scrape time.
"""

import os
import time

from celery.signals import task_postrun, task_retry
from django.db import connection
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "coupzii_http_request_duration_seconds",
    "Time to answer a request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "coupzii_http_responses",
    "Responses, by view (URL name), method and status code.",
    ["view", "method", "status"],
)
REQUEST_QUERIES = Histogram(
    "coupzii_http_request_queries",
    "SQL queries run to answer one request, by view (URL name).",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)
TASKS = Counter(
    "coupzii_celery_tasks",
    "Celery tasks finished, by task name and outcome (success, failure, retry ...).",
    ["task", "outcome"],
)
TASK_RETRIES = Counter(
    "coupzii_celery_task_retries",
    "Celery task retries scheduled, by task name.",
    ["task"],
)
CLICKS_BUFFERED = Counter(
    "coupzii_clicks_buffered",
    "Click-outs put in the Redis buffer for the click writer.",
)
CLICKS_WRITTEN = Counter(
    "coupzii_clicks_written",
    "Click rows written to the database.",
)
WEBHOOK_FAILURES = Counter(
    "coupzii_webhook_failures",
    "Webhooks and affiliate postbacks refused, by provider and reason.",
    ["provider", "reason"],
)

# A request that matched no URL (a 404, a bad host): one label value, not one per path.
UNRESOLVED_VIEW = "unresolved"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None


def process_metrics() -> bytes:
    """The text exposition of everything counted here, over all processes when multiprocess."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def serve_worker_metrics(port: int) -> None:
    """A Celery worker has no web server: expose its counts on `port` from a thread of the
    worker's main process, adding up its pool processes' files when multiprocess."""
    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)


def mark_process_dead(pid: int) -> None:
    """A worker process exited: its live gauges stop counting (its counters still add up)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


class _QueryCounter:
    """A database execute wrapper that counts the queries run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNRESOLVED_VIEW


class MetricsMiddleware:
    """Latency, status and SQL query count of every request, labelled by the view's URL name
    (a bounded set, unlike paths)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_name(request)
        REQUEST_SECONDS.labels(view=view, method=request.method).observe(elapsed)
        RESPONSES.labels(view=view, method=request.method, status=response.status_code).inc()
        REQUEST_QUERIES.labels(view=view).observe(queries.count)
        return response


# --- Celery: connected when coupzii.core is loaded, in web processes (eager tasks) and workers.


@task_postrun.connect
def _count_task_outcome(sender=None, state: str | None = None, **kwargs) -> None:
    outcome = (state or "unknown").lower()
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome=outcome).inc()


@task_retry.connect
def _count_task_retry(sender=None, **kwargs) -> None:
    TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()
