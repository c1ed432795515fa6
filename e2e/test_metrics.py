"""Operators' metrics on the production topology: gunicorn's worker processes add up into one
scrape, the Celery worker serves its task counts on its own port, and nobody else gets in."""

import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import METRICS_DIR, METRICS_TOKEN, ROOT


def fetch(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def value(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` that have these labels (0 when there are none yet)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def test_the_web_metrics_add_up_every_gunicorn_worker(live_url):
    name = "coupzii_http_request_duration_seconds_count"
    before = fetch(f"{live_url}/metrics/", METRICS_TOKEN)[1]

    # 40 requests at once, so both of gunicorn's worker processes answer some
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fetch(f"{live_url}/health/")[0], range(40)))
    status, after = fetch(f"{live_url}/metrics/", METRICS_TOKEN)

    assert statuses == [200] * 40
    assert status == 200
    assert (
        value(after, name, view="health", method="GET")
        - value(before, name, view="health", method="GET")
        == 40
    )
    writers = {path.stem.rsplit("_", 1)[-1] for path in (METRICS_DIR / "web").glob("*.db")}
    assert len(writers) >= 2, "only one gunicorn worker wrote metrics"
    # state read from PostgreSQL at scrape time
    assert value(after, "coupzii_orders", status="fulfilled") > 0


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_the_metrics_are_not_found_without_the_token(live_url, token):
    assert fetch(f"{live_url}/metrics/", token)[0] == 404


def test_the_celery_worker_serves_its_task_outcomes(live_env, live_worker_env):
    worker_metrics = f"http://127.0.0.1:{live_worker_env['CELERY_METRICS_PORT']}/metrics"
    labels = {"task": "offers.flush_offer_counters", "outcome": "success"}
    before = value(fetch(worker_metrics)[1], "coupzii_celery_tasks_total", **labels)

    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from coupzii.celery import app; app.send_task('offers.flush_offer_counters')",
        ],
        cwd=ROOT,
        env=live_env,
        check=True,
    )

    deadline = time.monotonic() + 20
    while value(fetch(worker_metrics)[1], "coupzii_celery_tasks_total", **labels) == before:
        assert time.monotonic() < deadline, "the worker's metrics never counted the task"
        time.sleep(0.2)
