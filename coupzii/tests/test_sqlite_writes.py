"""The embedded default answers simultaneous writes: SQLite serialises them, never a 500.

The server runs as `make run` runs it (base settings, `runserver`'s thread per request) on its
own SQLite file, whatever database the rest of the suite uses: the suite's in-memory SQLite is
one shared connection that never meets a lock.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings

SERVER_ENV_DROPPED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def embedded_site(tmp_path):
    """A migrated, seeded SQLite file served by `runserver`; yields (url, seed, log path)."""
    env = {name: value for name, value in os.environ.items() if name not in SERVER_ENV_DROPPED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "coupzii.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Only the balance should refuse withdrawals here, not the daily count.
        "WALLET_WITHDRAWALS_PER_DAY": "50",
    }
    _manage(env, "migrate", "--noinput", "-v0")
    seeded = _manage(
        env, "shell", "-c", "from coupzii.tests.embedded_seed import seed; seed()"
    ).stdout
    seed = json.loads(seeded.strip().splitlines()[-1])
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health/", server, log)
        yield url, seed, log
    finally:
        server.terminate()
        server.wait(timeout=10)


def _all_at_once(calls: list) -> list[requests.Response]:
    barrier = threading.Barrier(len(calls))

    def fire(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(fire, calls))


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_simultaneous_writes_on_the_embedded_default_all_get_an_answer(embedded_site):
    # given: one shopper with ₹500 to withdraw, four editing carts, four checking out
    url, seed, log = embedded_site
    api = f"{url}/api/v1"
    withdrawals = [
        lambda n=n: requests.post(
            f"{api}/wallet/withdrawals/",
            json={"amount": "100.00", "method": "upi"},
            headers=_bearer(seed["withdrawer"]) | {"Idempotency-Key": f"withdraw-{n}"},
            timeout=60,
        )
        for n in range(10)
    ]
    cart_edits = [
        lambda token=token: requests.patch(
            f"{api}/cart/",
            json={"sku": seed["sku"], "quantity": 2},
            headers=_bearer(token),
            timeout=60,
        )
        for token in seed["cart_editors"]
    ]
    checkouts = [
        lambda token=token: requests.post(
            f"{api}/checkout/orders/",
            json={},
            headers=_bearer(token) | {"Idempotency-Key": f"order-{uuid.uuid4()}"},
            timeout=60,
        )
        for token in seed["buyers"]
    ]
    sign_ups = [
        lambda n=n: requests.post(
            f"{api}/auth/register/",
            json={"email": f"new{n}@example.in", "password": "a long pass phrase 42"},
            timeout=60,
        )
        for n in range(6)
    ]

    # when: all of them at the same moment
    answers = _all_at_once(withdrawals + cart_edits + checkouts + sign_ups)

    # then: every request answered, none with "database is locked"
    statuses = [answer.status_code for answer in answers]
    assert all(code < 500 for code in statuses), (statuses, log.read_text()[-3000:])
    withdrawal_codes = sorted(answer.status_code for answer in answers[:10])
    assert withdrawal_codes == [201] * 5 + [409] * 5
    wallet = requests.get(f"{api}/wallet/", headers=_bearer(seed["withdrawer"]), timeout=10)
    assert (wallet.json()["available"], wallet.json()["held"]) == ("0.00", "500.00")
    for answer in answers[10:14]:
        assert answer.status_code == 200
        assert [(line["sku"], line["quantity"]) for line in answer.json()["lines"]] == [
            (seed["sku"], 2)
        ]
    assert [answer.status_code for answer in answers[14:18]] == [201] * 4
    assert [answer.status_code for answer in answers[18:]] == [201] * 6
    assert len({answer.json()["id"] for answer in answers[18:]}) == 6
