"""GET /metrics/: Prometheus metrics for operators, not for the public.

A scraper sends `Authorization: Bearer <METRICS_TOKEN>`; a staff member signed in with their
second factor can read it in a browser. Anyone else gets the site's 404, so the path does not
even say it exists.

Besides what coupzii.core.metrics counts, a scrape reads the database's state: orders and
cashback events by status, withdrawals waiting for an operator, and clicks waiting in Redis
for the writer (three SQL queries and one Redis command, whatever the data).
"""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from commerce import selectors as commerce_selectors
from coupzii.core import metrics
from offers import selectors as offers_selectors
from wallet import selectors as wallet_selectors


class StateCollector:
    """Gauges read from the database and Redis at scrape time."""

    def collect(self):
        yield _by_status(
            "coupzii_orders",
            "Gift-card orders, by status.",
            commerce_selectors.order_counts(),
        )
        yield _by_status(
            "coupzii_cashback_events",
            "Cashback events reported by affiliate networks, by status.",
            wallet_selectors.cashback_event_counts(),
        )
        yield _by_status(
            "coupzii_withdrawals_waiting",
            "Withdrawals waiting for an operator: requested (to approve), approved (to pay).",
            wallet_selectors.withdrawals_waiting(),
        )
        yield GaugeMetricFamily(
            "coupzii_clicks_in_buffer",
            "Click-outs waiting in Redis for the click writer.",
            value=offers_selectors.clicks_in_buffer(),
        )


def _by_status(name: str, documentation: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["status"])
    for status, count in counts.items():
        family.add_metric([status], count)
    return family


def state_metrics() -> bytes:
    registry = CollectorRegistry()
    registry.register(StateCollector())
    return generate_latest(registry)


def may_read_metrics(request) -> bool:
    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        given = authorization.removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    user = request.user
    # The admin's rule: staff who passed their second factor.
    return user.is_authenticated and user.is_staff and user.is_verified()


@never_cache
@require_safe
def metrics_view(request):
    if not may_read_metrics(request):
        raise Http404()
    body = metrics.process_metrics() + state_metrics()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
