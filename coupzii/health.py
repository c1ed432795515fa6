"""/health/: is the database, the cache (Redis) and the Celery broker reachable?

Load balancers and the deploy compose file poll it; it answers 200 when every check passes
and 503 naming what is down.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from coupzii.celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict:
    # A round trip through Redis, not just a ping: a read-only or full Redis fails here too.
    cache.set("health:probe", "1", timeout=10)
    if cache.get("health:probe") != "1":
        raise RuntimeError("cache did not return the value it stored")
    return {}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager"}
    with celery_app.connection_for_write() as broker:
        # One quick try: a health probe must answer fast rather than wait out retries.
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return {"mode": "broker"}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = {"ok": True, **check()}
        except Exception:
            # The reason goes to the log, not to the anonymous caller: it can name hosts,
            # database roles and versions.
            logger.exception("health check %s failed", name)
            detail = {"ok": False}
        detail["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = detail
    return results


@never_cache
@require_safe
def health(request):
    checks = run_checks()
    down = [name for name, detail in checks.items() if not detail["ok"]]
    body = {"status": "down" if down else "ok", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)
