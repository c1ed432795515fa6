"""Every response carries a request id, and log lines written during the request carry it too."""

import json
import logging

import pytest

from coupzii.core.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_each_response_gets_a_fresh_request_id(client):
    first = client.get("/health/")["X-Request-ID"]
    second = client.get("/health/")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_plain_incoming_request_id_is_kept(client):
    response = client.get("/health/", HTTP_X_REQUEST_ID="nginx-5f2c1e9a")

    assert response["X-Request-ID"] == "nginx-5f2c1e9a"


def test_a_hostile_incoming_request_id_is_replaced(client):
    response = client.get("/health/", HTTP_X_REQUEST_ID='x"\n{injected}')

    assert response["X-Request-ID"] != 'x"\n{injected}'
    assert len(response["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id(client, settings):
    # given a handler wired like the project's console handler
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        # when a request logs (a 404 is logged as a warning by Django)
        response = client.get("/no-such-page/")
    finally:
        logger.removeHandler(handler)

    # then the line is JSON tagged with the id the client got back
    record = json.loads(lines[-1])
    assert record["levelname"] == "WARNING"
    assert record["request_id"] == response["X-Request-ID"]
    assert "Not Found" in record["message"]
