"""/health/ tells a load balancer whether the database, Redis and the broker answer."""

import socket

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    # Bind then release: nothing listens there afterwards, so connecting is refused at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }


def test_health_is_200_when_everything_answers(client):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_is_503_naming_redis_when_redis_is_stopped(client, caplog):
    # The real django-redis client against a port where no Redis runs, as when Redis is stopped.
    with override_settings(CACHES=redis_cache_at(closed_port())):
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["cache"]
    assert body["checks"]["cache"] == {"ok": False, "ms": body["checks"]["cache"]["ms"]}
    assert body["checks"]["database"]["ok"] is True
    # the reason is logged for operators, not shown to whoever asks
    assert "health check cache failed" in caplog.text
    assert "ConnectionError" in caplog.text


def test_health_is_503_naming_the_broker_when_it_is_unreachable(client):
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        from coupzii.celery import app

        previous = app.conf.broker_url
        app.conf.broker_url = broker
        try:
            response = client.get("/health/")
        finally:
            app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis (set REDIS_URL)")
def test_health_reaches_the_real_redis_when_configured(client):
    body = client.get("/health/").json()

    assert body["checks"]["cache"]["ok"] is True


def test_health_answers_head_probes_and_refuses_post(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405
