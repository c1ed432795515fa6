"""Operators' Prometheus metrics at /metrics/: who may read them, and what they count."""

import time
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from celery import Celery, current_app
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import VariantFactory, stock
from commerce.services.checkout import order_place
from commerce.tests.factories import cart_with
from coupzii.metrics import state_metrics
from offers import clickout
from offers.tests.factories import ClickFactory, OfferFactory
from wallet.services.cashback import cashback_report
from wallet.services.withdrawals import withdrawal_request
from wallet.tests.factories import confirmed_cashback, sale_for, verified_kyc

pytestmark = pytest.mark.django_db

TOKEN = "scraper-token-for-tests"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> str:
    response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def value(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` that have these labels (0 when there are none yet)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


# --- Who may read them -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", ["", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_without_the_token_the_metrics_are_not_found(client, authorization):
    response = client.get("/metrics/", HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 404
    assert b"coupzii_" not in response.content


def test_a_shopper_or_staff_without_their_second_factor_cannot_read_them(client):
    shopper = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)

    client.login(email=shopper.email, password=PASSWORD)
    as_shopper = client.get("/metrics/")
    client.login(email=staff.email, password=PASSWORD)
    as_unverified_staff = client.get("/metrics/")

    assert as_shopper.status_code == 404
    assert as_unverified_staff.status_code == 404


def test_with_no_token_configured_a_bearer_header_opens_nothing(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer ").status_code == 404


# --- Requests ----------------------------------------------------------------------------------


def test_each_request_is_timed_and_its_queries_counted_by_view(client):
    before = scrape(client)

    for _ in range(3):
        assert client.get("/health/").status_code == 200
    client.get("/no-such-page/")
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("coupzii_http_request_duration_seconds_count", view="health", method="GET") == 3
    assert delta("coupzii_http_responses_total", view="health", method="GET", status="200") == 3
    # /health/ runs one SELECT 1 per request
    assert delta("coupzii_http_request_queries_count", view="health") == 3
    assert delta("coupzii_http_request_queries_sum", view="health") == 3
    assert delta("coupzii_http_responses_total", view="unresolved", status="404") == 1


# --- Celery ------------------------------------------------------------------------------------


@pytest.fixture
def worker():
    """A real Celery worker in a thread, on an in-memory broker: tasks run as in production
    (not eagerly), so failures and retries go through the worker's own bookkeeping."""
    # No Django fixup: a starting worker would close the test's database connection.
    app = Celery("metrics-test", broker="memory://localhost/", set_as_current=False, fixups=[])
    app.conf.update(task_default_retry_delay=0, worker_hijack_root_logger=False)
    attempts = {"flaky": 0}

    @app.task(name="coupzii.tests.metrics_ok")
    def ok():
        return "ok"

    @app.task(name="coupzii.tests.metrics_flaky", bind=True, max_retries=2)
    def flaky(self):
        attempts["flaky"] += 1
        if self.request.retries < 2:
            raise self.retry(countdown=0)
        return "finally"

    @app.task(name="coupzii.tests.metrics_broken")
    def broken():
        raise RuntimeError("simulated failure")

    # start_worker makes its app the process's current and default one; the project's app
    # (eager in tests) must be current again afterwards, or later tests' tasks go nowhere.
    project_app = current_app._get_current_object()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            yield SimpleNamespace(ok=ok, flaky=flaky, broken=broken, attempts=attempts)
    finally:
        project_app.set_current()
        project_app.set_default()


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.05)


def test_task_outcomes_and_retries_are_counted_by_task(client, worker):
    before = scrape(client)

    def delta(exposition, name, **labels):
        return value(exposition, name, **labels) - value(before, name, **labels)

    worker.ok.delay()
    worker.ok.delay()
    worker.flaky.delay()
    worker.broken.delay()
    tasks = "coupzii_celery_tasks_total"
    flaky = "coupzii.tests.metrics_flaky"
    wait_for(lambda: delta(scrape(client), tasks, task=flaky, outcome="success") == 1)
    wait_for(lambda: delta(scrape(client), tasks, task="coupzii.tests.metrics_ok") == 2)
    after = scrape(client)

    assert delta(after, tasks, task="coupzii.tests.metrics_ok", outcome="success") == 2
    assert worker.attempts["flaky"] == 3
    assert delta(after, "coupzii_celery_task_retries_total", task=flaky) == 2
    assert delta(after, tasks, task=flaky, outcome="retry") == 2
    assert delta(after, tasks, task="coupzii.tests.metrics_broken", outcome="failure") == 1


# --- Business counters -------------------------------------------------------------------------


def test_clicks_are_counted_when_buffered_and_when_written(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # with a broker, clicks go through the buffer
    offer = OfferFactory()
    before = scrape(client)

    for _ in range(2):
        assert client.get(f"/go/{offer.public_id}/").status_code == 302
    waiting = scrape(client)
    clickout.buffered_clicks_write()
    after = scrape(client)

    assert (
        value(waiting, "coupzii_clicks_buffered_total")
        - value(before, "coupzii_clicks_buffered_total")
        == 2
    )
    assert value(waiting, "coupzii_clicks_in_buffer") == 2
    assert value(after, "coupzii_clicks_in_buffer") == 0
    assert (
        value(after, "coupzii_clicks_written_total")
        - value(waiting, "coupzii_clicks_written_total")
        == 2
    )


def test_refused_webhooks_and_postbacks_are_counted(client, settings):
    settings.AFFILIATE_NETWORKS = {
        **settings.AFFILIATE_NETWORKS,
        "admitad": {**settings.AFFILIATE_NETWORKS["admitad"], "postback_secret": "s3cret"},
    }
    before = scrape(client)

    client.post(
        "/api/v1/payments/razorpay/webhook/",
        data=b'{"event": "payment.captured"}',
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE="forged",
    )
    client.get("/api/v1/affiliate/postback/admitad/?secret=wrong&subid=x")
    after = scrape(client)

    def delta(**labels):
        name = "coupzii_webhook_failures_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(provider="razorpay", reason="signature") == 1
    assert delta(provider="admitad") == 1


# --- State read at scrape time -----------------------------------------------------------------


def test_orders_cashback_and_waiting_withdrawals_are_read_by_status(client):
    # given one pending and one confirmed cashback event, a requested withdrawal, an order
    shopper = UserFactory()
    cashback_report(sale=sale_for(ClickFactory(user=shopper)))
    confirmed_cashback(shopper, "500.00")
    verified_kyc(shopper, upi_id="shopper@okaxis")
    withdrawal_request(user=shopper, amount=D("200.00"), method="upi", idempotency_key="w1")
    variant = VariantFactory()
    stock(variant, 2)
    order_place(
        user=shopper,
        cart=cart_with(shopper, (variant, 1)),
        email=shopper.email,
        phone="",
        idempotency_key="o1",
    )

    # when Prometheus scrapes
    exposition = scrape(client)

    # then each status is there, zeros included
    assert value(exposition, "coupzii_cashback_events", status="pending") == 1
    assert value(exposition, "coupzii_cashback_events", status="confirmed") == 1
    assert value(exposition, "coupzii_cashback_events", status="declined") == 0
    assert value(exposition, "coupzii_withdrawals_waiting", status="requested") == 1
    assert value(exposition, "coupzii_withdrawals_waiting", status="approved") == 0
    assert value(exposition, "coupzii_orders", status="pending_payment") == 1
    assert value(exposition, "coupzii_orders", status="fulfilled") == 0


def test_reading_the_state_takes_three_queries_however_much_there_is():
    with CaptureQueriesContext(connection) as empty:
        state_metrics()
    for _ in range(3):
        confirmed_cashback(UserFactory(), "100.00")
    with CaptureQueriesContext(connection) as busy:
        state_metrics()

    assert len(empty) == len(busy) == 3
