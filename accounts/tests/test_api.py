"""The auth API under /api/v1/auth/: sign-up, password and phone sign-in, two-factor, token
rotation and revocation, and the profile."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import api, services, sms
from accounts.models import LoginFamily, PhoneCodeDevice, User
from accounts.tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
PHONE_REQUEST = "/api/v1/auth/phone/request/"
PHONE_VERIFY = "/api/v1/auth/phone/verify/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"

PHONE = "+919876500001"
ATTACKER_IP = "203.0.113.9"  # not a trusted proxy: its X-Forwarded-For is not believed


class CommittingAPIClient(APIClient):
    """An API client whose requests run their on-commit callbacks, as a real commit does.

    The test's transaction never commits, and the services send SMS and mark revoked logins
    in Redis from `transaction.on_commit`.
    """

    def __init__(self, capture_on_commit, **defaults):
        super().__init__(**defaults)
        self._capture_on_commit = capture_on_commit

    def request(self, **kwargs):
        with self._capture_on_commit(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def client(django_capture_on_commit_callbacks):
    return CommittingAPIClient(django_capture_on_commit_callbacks)


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def no_two_factor_backoff(settings):
    # django-otp makes each try after a wrong code wait 1, 2, 4 ... seconds; tests that send a
    # wrong code and then a right one turn that configuration off (its own test keeps it on).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def no_phone_code_backoff(monkeypatch):
    # The same django-otp back-off on phone codes (its factor is fixed on the model); turned
    # off so the five-tries rule, which is ours, can be tested without sleeping.
    monkeypatch.setattr(PhoneCodeDevice, "get_throttle_factor", lambda device: 0)


def verified_user(**fields) -> User:
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def two_factor_user(**fields):
    """A verified user with an authenticator enrolled; returns (user, device, backup codes).

    Enrolment used the current 30-second step, so the app's next good code is one step on.
    """
    user = verified_user(**fields)
    device = services.totp_enrol_start(user=user)
    backup_codes = services.totp_enrol_confirm(user=user, code=totp_code(device))
    return user, device, backup_codes


def login(client, user, *, password=PASSWORD, code=None, **request_meta):
    body = {"email": user.email, "password": password}
    if code is not None:
        body["code"] = code
    return client.post(LOGIN, body, format="json", **request_meta)


def signed_in_tokens(client, user) -> dict:
    response = login(client, user)
    assert response.status_code == 200, response.data
    return response.data


def bearer(access: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def error_code(response) -> str:
    return response.data["error"]["code"]


def request_phone_code(client, phone=PHONE, **extra):
    return client.post(PHONE_REQUEST, {"phone": phone}, format="json", **extra)


def texted_code(phone=PHONE) -> str:
    message = [sent for sent in sms.outbox if sent["to"] == phone][-1]
    return re.search(r"\b(\d{6})\b", message["body"]).group(1)


def allow_next_phone_code(phone=PHONE):
    """Move the one-code-a-minute cooldown out of the way, as if a minute had passed."""
    PhoneCodeDevice.objects.filter(phone=phone).update(
        last_generated_timestamp=timezone.now() - timedelta(seconds=61)
    )


def a_wrong_code(*right_codes: str) -> str:
    return next(
        code for code in ("000000", "111111", "222222", "333333") if code not in right_codes
    )


def a_wrong_totp_code(device) -> str:
    # Not any code the device accepts now (it tolerates one step of clock drift either way).
    return a_wrong_code(*(totp_code(device, steps_ahead=steps) for steps in range(-1, 3)))


def verify_phone_code(client, *, challenge, code, phone=PHONE, **fields):
    body = {"phone": phone, "challenge": challenge, "code": code, **fields}
    return client.post(PHONE_VERIFY, body, format="json")


# --- Registration -----------------------------------------------------------------------------


def test_register_creates_an_unverified_account_without_tokens(client, mailoutbox):
    response = client.post(
        REGISTER,
        {"email": "Asha@Example.in", "password": PASSWORD, "full_name": "Asha Rao"},
        format="json",
    )

    assert response.status_code == 201, response.data
    user = User.objects.get(email="asha@example.in")
    assert response.data == {
        "id": str(user.public_id),
        "email": "asha@example.in",
        "email_verified": False,
        "detail": "We sent a link to confirm your email.",
    }
    assert not EmailAddress.objects.get(user=user).verified
    assert LoginFamily.objects.filter(user=user).count() == 0
    assert "messages" not in response.cookies


def test_register_emails_a_link_that_confirms_the_address_and_unlocks_login(client, mailoutbox):
    # given
    client.post(REGISTER, {"email": "asha@example.in", "password": PASSWORD}, format="json")
    user = User.objects.get(email="asha@example.in")
    assert error_code(login(client, user)) == "email_not_verified"

    # when
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["asha@example.in"]
    link = re.search(r"https?://testserver(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body)
    confirmed = APIClient().post(link.group(1))

    # then
    assert confirmed.status_code == 302
    assert services.email_is_verified(user)
    response = login(client, user)
    assert response.status_code == 200, response.data
    assert response.data["user"]["email_verified"] is True


def test_login_is_refused_until_the_email_is_verified(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)

    response = login(client, user)

    assert response.status_code == 403
    assert error_code(response) == "email_not_verified"
    assert "access" not in response.data


def test_register_refuses_an_email_taken_in_another_case(client, mailoutbox):
    UserFactory(email="asha@example.in")

    response = client.post(
        REGISTER, {"email": "ASHA@Example.IN", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert error_code(response) == "registration_refused"
    assert list(response.data["error"]["fields"]) == ["email"]
    assert User.objects.count() == 1
    assert mailoutbox == []


def test_register_refuses_a_phone_another_account_uses_however_it_is_typed(client):
    UserFactory(phone=PHONE)

    response = client.post(
        REGISTER,
        {"email": "new@example.in", "password": PASSWORD, "phone": "98765 00001"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.data["error"]["fields"]) == ["phone"]
    assert not User.objects.filter(email="new@example.in").exists()


def test_register_refuses_a_weak_password(client):
    response = client.post(
        REGISTER, {"email": "new@example.in", "password": "password"}, format="json"
    )

    assert response.status_code == 400
    assert error_code(response) == "registration_refused"
    assert response.data["error"]["fields"]["password"]


def test_register_refuses_an_unknown_referral_code(client):
    response = client.post(
        REGISTER,
        {"email": "new@example.in", "password": PASSWORD, "referral_code": "ZZZZ2222"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.data["error"]["fields"]) == ["referral_code"]


def test_register_names_every_bad_field_at_once(client):
    UserFactory(email="asha@example.in", phone=PHONE)

    response = client.post(
        REGISTER,
        {"email": "asha@example.in", "password": "123", "phone": PHONE, "referral_code": "NOPE"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.data["error"]["fields"]) == {"email", "password", "phone", "referral_code"}


def test_register_refuses_a_malformed_email_or_missing_password(client):
    response = client.post(REGISTER, {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert set(response.data["error"]["fields"]) == {"email", "password"}


def test_register_with_a_referral_code_records_the_referrer(client):
    referrer = UserFactory()
    typed_code = f"{referrer.referral_code[:4].lower()}-{referrer.referral_code[4:]}"

    response = client.post(
        REGISTER,
        {
            "email": "friend@example.in",
            "password": PASSWORD,
            "phone": "98765 00002",
            "referral_code": typed_code,
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    friend = User.objects.get(email="friend@example.in")
    assert friend.referred_by == referrer
    assert friend.phone == "+919876500002"


# --- Password login and the lockout -----------------------------------------------------------


def test_login_returns_tokens_and_the_profile(client):
    user = verified_user()

    response = login(client, user, HTTP_USER_AGENT="CoupziiApp/3.1 (Android)")

    assert response.status_code == 200, response.data
    assert set(response.data) == {"access", "refresh", "user"}
    assert response.data["user"]["id"] == str(user.public_id)
    assert LoginFamily.objects.get(user=user).user_agent == "CoupziiApp/3.1 (Android)"
    me = client.get(ME, **bearer(response.data["access"]))
    assert me.status_code == 200
    assert me.data["email"] == user.email


def test_login_matches_the_email_whatever_its_case(client):
    verified_user(email="asha@example.in")

    response = client.post(LOGIN, {"email": "Asha@EXAMPLE.in", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_login_refuses_a_wrong_password(client):
    user = verified_user()

    response = login(client, user, password="not the password")

    assert response.status_code == 401
    assert error_code(response) == "invalid_credentials"
    assert "access" not in response.data


def test_login_is_not_blocked_by_a_stale_bearer_header(client):
    user = verified_user()

    response = login(client, user, HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    assert response.status_code == 200


def test_login_locks_after_five_failures_from_one_ip_even_with_a_spoofed_forwarded_for(client):
    # given: five failures, each claiming another address in X-Forwarded-For
    user = verified_user()
    for n in range(5):
        failed = login(
            client,
            user,
            password="wrong",
            REMOTE_ADDR=ATTACKER_IP,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert error_code(failed) == "invalid_credentials"

    # when: the right password, from the same connection with yet another forged address
    locked = login(client, user, REMOTE_ADDR=ATTACKER_IP, HTTP_X_FORWARDED_FOR="192.0.2.77")

    # then
    assert locked.status_code == 429
    assert error_code(locked) == "login_locked"
    assert "access" not in locked.data
    assert login(client, user, REMOTE_ADDR="198.51.100.200").status_code == 200


def test_login_lockout_behind_our_proxy_counts_the_forwarded_client(client):
    user = verified_user()
    through_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    for _ in range(5):
        login(client, user, password="wrong", **through_proxy)

    assert error_code(login(client, user, **through_proxy)) == "login_locked"
    other_client = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.11"}
    assert login(client, user, **other_client).status_code == 200


def test_credential_endpoints_are_throttled_per_client_ip(client):
    for n in range(20):
        response = client.post(
            LOGIN, {"email": f"nobody{n}@example.in", "password": "guess"}, format="json"
        )
        assert response.status_code == 401

    throttled = client.post(
        LOGIN, {"email": "nobody@example.in", "password": "guess"}, format="json"
    )

    assert throttled.status_code == 429
    assert error_code(throttled) == "throttled"
    assert int(throttled["Retry-After"]) > 0


# --- Two-factor on login ----------------------------------------------------------------------


def test_login_with_two_factor_on_asks_for_the_code(client):
    user, _device, _codes = two_factor_user()

    response = login(client, user)

    assert response.status_code == 401
    assert error_code(response) == "second_factor_required"
    assert "code" in response.data["error"]["fields"]
    assert "access" not in response.data
    assert LoginFamily.objects.filter(user=user).count() == 0


def test_login_with_two_factor_refuses_a_wrong_code_and_accepts_the_right_one(
    client, no_two_factor_backoff
):
    user, device, _codes = two_factor_user()

    wrong = login(client, user, code=a_wrong_totp_code(device))
    right = login(client, user, code=totp_code(device, steps_ahead=1))

    assert wrong.status_code == 401
    assert error_code(wrong) == "invalid_second_factor"
    assert right.status_code == 200, right.data
    assert right.data["user"]["two_factor_enabled"] is True


def test_login_with_two_factor_refuses_the_same_code_twice(client, no_two_factor_backoff):
    user, device, _codes = two_factor_user()
    code = totp_code(device, steps_ahead=1)
    assert login(client, user, code=code).status_code == 200

    replayed = login(client, user, code=code)

    assert replayed.status_code == 401
    assert error_code(replayed) == "invalid_second_factor"


def test_login_with_a_backup_code_works_once(client, no_two_factor_backoff):
    user, _device, _codes = two_factor_user()
    backup_code = services.backup_codes_regenerate(user=user)[0]

    first = login(client, user, code=backup_code)
    second = login(client, user, code=backup_code)

    assert first.status_code == 200, first.data
    assert second.status_code == 401
    assert error_code(second) == "invalid_second_factor"


def test_login_with_two_factor_slows_down_after_a_wrong_code(client):
    # django-otp's back-off, left on: straight after a wrong code even the right one waits.
    user, device, _codes = two_factor_user()
    login(client, user, code=a_wrong_totp_code(device))

    response = login(client, user, code=totp_code(device, steps_ahead=1))

    assert response.status_code == 429
    assert error_code(response) == "second_factor_throttled"


def test_login_asks_for_the_second_factor_only_after_the_password(client):
    user, device, _codes = two_factor_user()

    response = login(client, user, password="wrong", code=totp_code(device, steps_ahead=1))

    assert error_code(response) == "invalid_credentials"


# --- Phone codes ------------------------------------------------------------------------------


def test_phone_sign_in_texts_a_code_that_returns_tokens(client):
    user = verified_user(phone=PHONE)

    requested = request_phone_code(client, "98765 00001")
    assert requested.status_code == 200, requested.data
    assert requested.data["expires_in"] == 300
    assert [sent["to"] for sent in sms.outbox] == [PHONE]
    response = verify_phone_code(client, challenge=requested.data["challenge"], code=texted_code())

    assert response.status_code == 200, response.data
    assert response.data["user"]["id"] == str(user.public_id)
    assert client.get(ME, **bearer(response.data["access"])).status_code == 200


def test_phone_code_request_refuses_an_unknown_or_invalid_number(client):
    unknown = request_phone_code(client, "+919876599999")
    invalid = request_phone_code(client, "12345")

    assert unknown.status_code == 404
    assert error_code(unknown) == "phone_not_registered"
    assert invalid.status_code == 400
    assert "phone" in invalid.data["error"]["fields"]
    assert sms.outbox == []


def test_phone_code_is_single_use(client):
    verified_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    code = texted_code()
    assert verify_phone_code(client, challenge=challenge, code=code).status_code == 200

    again = verify_phone_code(client, challenge=challenge, code=code)

    assert again.status_code == 400
    assert error_code(again) == "code_expired"


def test_phone_code_refuses_a_wrong_code_and_says_how_many_tries_are_left(client):
    verified_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    wrong = a_wrong_code(texted_code())

    response = verify_phone_code(client, challenge=challenge, code=wrong)

    assert response.status_code == 400
    assert error_code(response) == "invalid_code"
    assert "4 tries left" in response.data["error"]["message"]


def test_phone_code_dies_after_five_wrong_tries(client, no_phone_code_backoff):
    # given
    verified_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    right = texted_code()
    wrong = a_wrong_code(right)
    for _ in range(4):
        assert (
            error_code(verify_phone_code(client, challenge=challenge, code=wrong)) == "invalid_code"
        )

    # when
    fifth = verify_phone_code(client, challenge=challenge, code=wrong)
    then_right = verify_phone_code(client, challenge=challenge, code=right)

    # then
    assert error_code(fifth) == "code_expired"
    assert then_right.status_code == 400
    assert error_code(then_right) == "code_expired"


def test_phone_code_expires(client):
    verified_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    PhoneCodeDevice.objects.filter(phone=PHONE).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )

    response = verify_phone_code(client, challenge=challenge, code=texted_code())

    assert response.status_code == 400
    assert error_code(response) == "code_expired"


def test_phone_code_works_only_with_its_own_challenge(client):
    # given: a first code, then a second one that replaces it
    verified_user(phone=PHONE)
    first_challenge = request_phone_code(client).data["challenge"]
    allow_next_phone_code()
    second_challenge = request_phone_code(client).data["challenge"]
    code = texted_code()

    # when: the right code with the earlier challenge, or with an invented one
    with_earlier = verify_phone_code(client, challenge=first_challenge, code=code)
    with_invented = verify_phone_code(client, challenge="x" * 32, code=code)

    # then: both refused, and the code still works for the client that holds its challenge
    assert error_code(with_earlier) == "code_expired"
    assert error_code(with_invented) == "code_expired"
    assert verify_phone_code(client, challenge=second_challenge, code=code).status_code == 200


def test_phone_code_request_allows_one_code_a_minute(client):
    verified_user(phone=PHONE)
    assert request_phone_code(client).status_code == 200

    again = request_phone_code(client)

    assert again.status_code == 429
    assert error_code(again) == "code_send_limited"
    assert 0 < int(again["Retry-After"]) <= 61
    assert len(sms.outbox) == 1


def test_phone_code_request_allows_five_codes_an_hour_per_phone(client):
    verified_user(phone=PHONE)
    for _ in range(5):
        assert request_phone_code(client).status_code == 200
        allow_next_phone_code()

    sixth = request_phone_code(client)

    assert sixth.status_code == 429
    assert error_code(sixth) == "code_send_limited"
    assert sixth["Retry-After"] == "3600"
    assert len(sms.outbox) == 5


def test_phone_code_request_allows_twenty_codes_an_hour_per_client_ip(client, monkeypatch):
    # The API's own 20-a-minute throttle would answer first; raise it to reach the service's
    # hourly per-IP limit, which is what this test is about.
    monkeypatch.setitem(api.AuthRateThrottle.THROTTLE_RATES, "auth", "100/minute")
    phones = [f"+9198765{n:05d}" for n in range(10, 32)]
    for phone in phones:
        verified_user(phone=phone)
    for phone in phones[:20]:
        assert request_phone_code(client, phone, REMOTE_ADDR=ATTACKER_IP).status_code == 200

    twenty_first = request_phone_code(client, phones[20], REMOTE_ADDR=ATTACKER_IP)
    other_ip = request_phone_code(client, phones[21], REMOTE_ADDR="198.51.100.7")

    assert twenty_first.status_code == 429
    assert error_code(twenty_first) == "code_send_limited"
    assert twenty_first["Retry-After"] == "3600"
    assert other_ip.status_code == 200
    assert len(sms.outbox) == 21


def test_phone_sign_in_needs_a_verified_email(client):
    UserFactory(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]

    response = verify_phone_code(client, challenge=challenge, code=texted_code())

    assert response.status_code == 403
    assert error_code(response) == "email_not_verified"


def test_phone_sign_in_with_two_factor_on_asks_for_the_second_factor(client):
    two_factor_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]

    response = verify_phone_code(client, challenge=challenge, code=texted_code())

    assert response.status_code == 401
    assert error_code(response) == "second_factor_required"
    assert "second_factor_code" in response.data["error"]["fields"]
    assert "access" not in response.data


def test_phone_sign_in_with_two_factor_refuses_a_wrong_second_factor(client):
    _user, device, _codes = two_factor_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    wrong = a_wrong_totp_code(device)

    response = verify_phone_code(
        client, challenge=challenge, code=texted_code(), second_factor_code=wrong
    )

    assert response.status_code == 401
    assert error_code(response) == "invalid_second_factor"


def test_phone_sign_in_with_two_factor_accepts_the_second_factor(client):
    user, device, _codes = two_factor_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]

    response = verify_phone_code(
        client,
        challenge=challenge,
        code=texted_code(),
        second_factor_code=totp_code(device, steps_ahead=1),
    )

    assert response.status_code == 200, response.data
    assert response.data["user"]["id"] == str(user.public_id)


def test_phone_sign_in_finishes_with_the_second_factor_without_a_new_text(client):
    # given a phone sign-in that stops at the second factor
    _user, device, _codes = two_factor_user(phone=PHONE)
    challenge = request_phone_code(client).data["challenge"]
    stopped = verify_phone_code(client, challenge=challenge, code=texted_code())
    assert error_code(stopped) == "second_factor_required"
    ticket = stopped.data["error"]["ticket"]

    # when the app sends the ticket with the authenticator code
    response = client.post(
        "/api/v1/auth/2fa/",
        {"ticket": ticket, "code": totp_code(device, steps_ahead=1)},
        format="json",
    )

    # then it is signed in, and no second SMS was needed
    assert response.status_code == 200, response.data
    assert set(response.data) == {"access", "refresh", "user"}


def test_a_forged_or_stale_ticket_signs_nobody_in(client):
    _user, device, _codes = two_factor_user(phone=PHONE)

    response = client.post(
        "/api/v1/auth/2fa/", {"ticket": "made-up", "code": totp_code(device)}, format="json"
    )

    assert response.status_code == 401
    assert error_code(response) == "token_invalid"


# --- Refresh, logout and access tokens --------------------------------------------------------


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_login(client):
    # given
    user = verified_user()
    first = signed_in_tokens(client, user)
    rotated = client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200, rotated.data
    assert set(rotated.data) == {"access", "refresh"}
    assert rotated.data["refresh"] != first["refresh"]
    assert client.get(ME, **bearer(rotated.data["access"])).status_code == 200

    # when: the old refresh token comes back (it leaked, or was replayed)
    reused = client.post(REFRESH, {"refresh": first["refresh"]}, format="json")

    # then: refused, and every token of that login stops working
    assert reused.status_code == 401
    assert error_code(reused) == "token_reused"
    newest = client.post(REFRESH, {"refresh": rotated.data["refresh"]}, format="json")
    assert newest.status_code == 401
    assert error_code(newest) == "token_invalid"
    assert client.get(ME, **bearer(rotated.data["access"])).status_code == 401
    assert client.get(ME, **bearer(first["access"])).status_code == 401


def test_refresh_reuse_leaves_the_users_other_logins_alone(client):
    user = verified_user()
    phone_app = signed_in_tokens(client, user)
    tablet_app = signed_in_tokens(client, user)
    client.post(REFRESH, {"refresh": phone_app["refresh"]}, format="json")
    client.post(REFRESH, {"refresh": phone_app["refresh"]}, format="json")

    assert client.get(ME, **bearer(tablet_app["access"])).status_code == 200
    assert (
        client.post(REFRESH, {"refresh": tablet_app["refresh"]}, format="json").status_code == 200
    )


def test_refresh_refuses_garbage_and_access_tokens(client):
    tokens = signed_in_tokens(client, verified_user())

    garbage = client.post(REFRESH, {"refresh": "not.a.token"}, format="json")
    access = client.post(REFRESH, {"refresh": tokens["access"]}, format="json")
    missing = client.post(REFRESH, {}, format="json")

    assert garbage.status_code == 401
    assert error_code(garbage) == "token_invalid"
    assert access.status_code == 401
    assert missing.status_code == 400
    assert "refresh" in missing.data["error"]["fields"]


def test_refresh_works_with_an_expired_access_token_still_in_the_header(client):
    user = verified_user()
    tokens = signed_in_tokens(client, user)
    expired = AccessToken.for_user(user)
    expired.set_exp(from_time=timezone.now() - timedelta(hours=1))

    response = client.post(
        REFRESH, {"refresh": tokens["refresh"]}, format="json", **bearer(str(expired))
    )

    assert response.status_code == 200


def test_logout_revokes_the_refresh_and_the_access_token(client):
    tokens = signed_in_tokens(client, verified_user())

    response = client.post(
        LOGOUT, {"refresh": tokens["refresh"]}, format="json", **bearer(tokens["access"])
    )

    assert response.status_code == 204
    refreshed = client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    assert error_code(refreshed) == "token_invalid"
    assert client.get(ME, **bearer(tokens["access"])).status_code == 401


def test_a_signed_out_access_token_is_refused_with_code_token_revoked(client):
    tokens = signed_in_tokens(client, verified_user())
    client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json", **bearer(tokens["access"]))

    response = client.get(ME, **bearer(tokens["access"]))

    assert response.status_code == 401
    assert response.data["error"] == {
        "code": "token_revoked",
        "message": "This login was signed out.",
        "fields": {},
    }


def test_logout_needs_an_access_token(client):
    tokens = signed_in_tokens(client, verified_user())

    response = client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 200


def test_logout_cannot_sign_out_another_users_login(client):
    mine = signed_in_tokens(client, verified_user())
    theirs = signed_in_tokens(client, verified_user())

    response = client.post(
        LOGOUT, {"refresh": theirs["refresh"]}, format="json", **bearer(mine["access"])
    )

    assert response.status_code == 401
    assert client.get(ME, **bearer(theirs["access"])).status_code == 200
    assert client.post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200


def test_an_expired_access_token_is_refused(client):
    user = verified_user()
    fresh = AccessToken.for_user(user)
    expired = AccessToken.for_user(user)
    expired.set_exp(from_time=timezone.now() - timedelta(minutes=16))

    assert client.get(ME, **bearer(str(fresh))).status_code == 200
    response = client.get(ME, **bearer(str(expired)))
    assert response.status_code == 401


def test_a_refresh_token_is_not_accepted_as_an_access_token(client):
    tokens = signed_in_tokens(client, verified_user())

    assert client.get(ME, **bearer(tokens["refresh"])).status_code == 401


# --- The profile ------------------------------------------------------------------------------


def test_me_shows_the_profile(client):
    user = verified_user(phone=PHONE, full_name="Asha Rao")
    tokens = signed_in_tokens(client, user)

    response = client.get(ME, **bearer(tokens["access"]))

    assert response.status_code == 200
    assert response.data == {
        "id": str(user.public_id),
        "email": user.email,
        "phone": PHONE,
        "full_name": "Asha Rao",
        "language": "en",
        "public_name": "first_initial",
        "marketing_consent": False,
        "notify_by_email": True,
        "notify_by_sms": True,
        "referral_code": user.referral_code,
        "email_verified": True,
        "two_factor_enabled": False,
    }


def test_me_needs_a_token(client):
    response = client.get(ME)

    assert response.status_code == 401


def test_me_patch_changes_the_profile(client):
    user = verified_user()
    tokens = signed_in_tokens(client, user)

    response = client.patch(
        ME,
        {
            "full_name": "  Asha Rao ",
            "language": "hi",
            "public_name": "hidden",
            "marketing_consent": True,
            "notify_by_email": False,
            "notify_by_sms": False,
        },
        format="json",
        **bearer(tokens["access"]),
    )

    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert (user.full_name, user.language, user.public_name) == ("Asha Rao", "hi", "hidden")
    assert response.data["public_name"] == "hidden"
    assert (user.marketing_consent, user.notify_by_email, user.notify_by_sms) == (
        True,
        False,
        False,
    )
    assert response.data["language"] == "hi"


def test_me_patch_changes_only_the_fields_sent(client):
    user = verified_user(full_name="Asha Rao")
    tokens = signed_in_tokens(client, user)

    response = client.patch(
        ME, {"marketing_consent": True}, format="json", **bearer(tokens["access"])
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.full_name == "Asha Rao"
    assert user.marketing_consent is True


def test_me_patch_refuses_email_and_phone_and_says_where_to_change_them(client):
    user = verified_user(phone=PHONE, full_name="Asha Rao")
    email = user.email
    tokens = signed_in_tokens(client, user)

    response = client.patch(
        ME,
        {"email": "new@example.in", "phone": "+919876500099", "full_name": "New Name"},
        format="json",
        **bearer(tokens["access"]),
    )

    assert response.status_code == 400
    fields = response.data["error"]["fields"]
    assert set(fields) == {"email", "phone"}
    assert "confirm the new address" in fields["email"][0]
    assert "text a code" in fields["phone"][0]
    user.refresh_from_db()
    # The whole request is refused: not even the allowed field in it is saved.
    assert (user.email, user.phone, user.full_name) == (email, PHONE, "Asha Rao")


def test_me_patch_refuses_the_referral_code_and_other_read_only_fields(client):
    user = verified_user()
    code = user.referral_code
    tokens = signed_in_tokens(client, user)

    response = client.patch(
        ME,
        {"referral_code": "ZZZZ2222", "email_verified": False, "id": "x"},
        format="json",
        **bearer(tokens["access"]),
    )

    assert response.status_code == 400
    assert set(response.data["error"]["fields"]) == {"referral_code", "email_verified", "id"}
    user.refresh_from_db()
    assert user.referral_code == code


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "fr"),
        ("marketing_consent", "perhaps"),
        ("full_name", "x" * 151),
        ("public_name", "nickname"),
    ],
)
def test_me_patch_refuses_bad_values_with_field_messages(client, field, value):
    user = verified_user()
    tokens = signed_in_tokens(client, user)

    response = client.patch(ME, {field: value}, format="json", **bearer(tokens["access"]))

    assert response.status_code == 400
    assert list(response.data["error"]["fields"]) == [field]


def test_me_patch_changes_only_the_token_holders_profile(client):
    # given: two users signed in; there is no id in the URL to point at someone else
    asha = verified_user(full_name="Asha Rao")
    ravi = verified_user(full_name="Ravi Kumar")
    asha_tokens = signed_in_tokens(client, asha)
    ravi_tokens = signed_in_tokens(client, ravi)

    # when: Asha's token patches, even naming Ravi's id
    response = client.patch(
        f"{ME}?id={ravi.public_id}",
        {"full_name": "Changed"},
        format="json",
        **bearer(asha_tokens["access"]),
    )

    # then: only Asha changed
    assert response.status_code == 200
    assert response.data["id"] == str(asha.public_id)
    asha.refresh_from_db()
    ravi.refresh_from_db()
    assert asha.full_name == "Changed"
    assert ravi.full_name == "Ravi Kumar"
    assert client.get(ME, **bearer(ravi_tokens["access"])).data["full_name"] == "Ravi Kumar"


# --- Schema -----------------------------------------------------------------------------------


def test_schema_documents_every_auth_endpoint_with_its_shapes(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        REGISTER: {"post"},
        LOGIN: {"post"},
        PHONE_REQUEST: {"post"},
        PHONE_VERIFY: {"post"},
        REFRESH: {"post"},
        LOGOUT: {"post"},
        ME: {"get", "patch"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            operation = paths[path][method]
            assert operation["responses"], (path, method)
            if method != "get":
                assert operation["requestBody"]["content"]["application/json"]["schema"], (
                    path,
                    method,
                )
