"""Schema-driven fuzzing of every API operation as a signed-in shopper (`make fuzz`).

Schemathesis reads /api/schema/ from the app itself and sends each operation generated
requests, valid and invalid, through Django's WSGI handler, against the test database filled
by `seed_demo` (so lists have rows and the demo shopper has cashback, withdrawals, orders and
notifications). Any 500, or an answer the schema does not describe (status, content type or
body), fails.
"""

import io
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.tokens import tokens_issue

DEMO_SHOPPER = "asha@coupzii.test"
# Per operation; `make fuzz FUZZ_EXAMPLES=500` digs deeper by hand. 25 keeps the 57
# operations (positive and negative examples) within a few minutes on two cores.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

# No 500; and every answer is one the schema describes: a documented status, its content type,
# a body of its shape. (Not schemathesis's checks that a valid request is accepted: a random
# but well-formed id is rightly a 404.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(scope="session", autouse=True)
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.fixture
def connection_kept_between_requests():
    # Django's own test client does the same: the WSGI handler closes a connection that is not
    # in autocommit when a request ends, and on PostgreSQL that ends the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def shopper(db, connection_kept_between_requests) -> User:
    return User.objects.get(email=DEMO_SHOPPER)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    # Same examples on every run: CI fails for the code under test, not for the dice.
    derandomize=True,
    database=None,
    # One request may be slow on a busy CI machine; `make fuzz` bounds the whole step.
    deadline=None,
    # `shopper` is one row read once; nothing an example does changes it.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_its_schema_says(case, shopper):
    # Throttles and sign-in lockouts count in Redis: without a reset the fuzzer would spend
    # most examples of the sign-in operations on 429s instead of on the views behind them.
    cache.clear()
    # A fresh login per example: one that changes the password or trips a lockout does not
    # sign the next example out.
    access = tokens_issue(user=shopper)["access"]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {access}"},
        checks=CHECKS,
    )
