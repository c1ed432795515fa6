"""Races on PostgreSQL: one-time things stay one-time when requests arrive together."""

import re

import pytest

from accounts import errors, services, sms, tokens
from accounts.tests.factories import UserFactory, totp_code
from coupzii.tests.races import race as race_all
from coupzii.tests.races import successes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def race(action, count: int = THREADS) -> list:
    """Run `action()` in `count` threads released together; return results or the errors."""
    return race_all([action] * count)


def test_one_phone_code_signs_in_once_however_many_try_it_together():
    sms.outbox.clear()
    UserFactory(phone="+919876543210")
    challenge = services.phone_code_request(phone="+919876543210", ip="203.0.113.9")
    code = re.search(r"\d{6}", sms.outbox[-1]["body"]).group(0)

    results = race(
        lambda: services.phone_login(phone="+919876543210", challenge=challenge, code=code)
    )

    assert len(successes(results)) == 1
    assert all(
        isinstance(result, errors.CodeExpired)
        for result in results
        if result not in successes(results)
    )


def test_one_totp_code_is_accepted_once_however_many_try_it_together():
    user = UserFactory()
    device = services.totp_enrol_start(user=user)
    services.totp_enrol_confirm(user=user, code=totp_code(device))
    device.refresh_from_db()
    code = totp_code(device, steps_ahead=1)

    results = race(lambda: services.two_factor_verify(user=user, code=code))

    assert len(successes(results)) == 1


def test_one_refresh_token_rotates_once_however_many_present_it_together():
    user = UserFactory()
    issued = tokens.tokens_issue(user=user)

    results = race(lambda: tokens.tokens_refresh(refresh=issued["refresh"]))

    # one rotation wins; the others look like replays and sign the login out everywhere
    assert len(successes(results)) == 1
    assert any(isinstance(result, errors.TokenReused) for result in results)
    with pytest.raises(errors.TokenInvalid):
        tokens.tokens_refresh(refresh=successes(results)[0]["refresh"])


def test_simultaneous_code_requests_send_one_sms():
    sms.outbox.clear()
    UserFactory(phone="+919876543210")

    results = race(lambda: services.phone_code_request(phone="+919876543210", ip="203.0.113.9"))

    assert len(successes(results)) == 1
    assert len(sms.outbox) == 1
