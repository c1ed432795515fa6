"""The account-wide ceiling on wrong passwords: guessing from many addresses trips it, after
which the right password alone signs nobody in, on the API or the page, until the code we
email is given too; the owner is told once and can still get in by phone code."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import services, sms
from accounts.models import Notification, PasswordFailure, PasswordGuard
from accounts.tests.factories import PASSWORD, totp_code
from accounts.tests.test_api import (
    CommittingAPIClient,
    error_code,
    login,
    request_phone_code,
    texted_code,
    verified_user,
    verify_phone_code,
)
from coupzii.tests.races import race, successes

pytestmark = pytest.mark.django_db

LOGIN_CODE = "/api/v1/auth/login/code/"
PAGE_LOGIN = "/accounts/login/"
PAGE_CODE = "/accounts/login/email-code/"
PHONE = "+919876500001"
GUARD_SUBJECT = "Someone is trying to guess your password"
CODE_SUBJECT = "your sign-in code"


class CommittingClient(Client):
    """The page client, running on-commit callbacks (emails) as a real commit would."""

    def __init__(self, capture_on_commit, **defaults):
        super().__init__(**defaults)
        self._capture_on_commit = capture_on_commit

    def request(self, **request):
        with self._capture_on_commit(execute=True):
            return super().request(**request)


@pytest.fixture
def api(django_capture_on_commit_callbacks):
    return CommittingAPIClient(django_capture_on_commit_callbacks)


@pytest.fixture
def page(django_capture_on_commit_callbacks):
    return CommittingClient(django_capture_on_commit_callbacks)


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def address(n: int) -> str:
    return f"198.51.100.{n + 1}"


def guess_from_many_addresses(api, user, count: int = 25) -> None:
    """`count` wrong passwords, each from its own address: no (account, address) pair is
    locked, so only the account-wide ceiling can stop them."""
    for n in range(count):
        response = login(api, user, password=f"guess-{n}", REMOTE_ADDR=address(n))
        assert error_code(response) == "invalid_credentials"


def emails_about(mailoutbox, user, subject: str) -> list:
    return [m for m in mailoutbox if subject in m.subject and m.to == [user.email]]


def emailed_code(mailoutbox, user) -> str:
    message = emails_about(mailoutbox, user, CODE_SUBJECT)[-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def signed_in_on_page(client) -> bool:
    return client.get("/").context["user"].is_authenticated


# --- API -------------------------------------------------------------------------------------


def test_api_right_password_after_25_guesses_from_25_addresses_needs_the_emailed_code(
    api, mailoutbox
):
    user = verified_user()
    guess_from_many_addresses(api, user)

    response = login(api, user, REMOTE_ADDR="192.0.2.50")

    assert response.status_code == 401
    assert error_code(response) == "code_required"
    assert "access" not in response.data
    assert response.data["error"]["ticket"]
    assert len(emails_about(mailoutbox, user, CODE_SUBJECT)) == 1


def test_api_right_password_and_emailed_code_sign_in_and_clear_the_guard(api, mailoutbox):
    user = verified_user()
    guess_from_many_addresses(api, user)
    ticket = login(api, user, REMOTE_ADDR="192.0.2.50").data["error"]["ticket"]

    response = api.post(
        LOGIN_CODE, {"ticket": ticket, "code": emailed_code(mailoutbox, user)}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data["access"] and response.data["refresh"]
    assert not PasswordGuard.objects.filter(user=user).exists()
    # the owner has proved themselves: the password alone works again
    assert login(api, user, REMOTE_ADDR="192.0.2.51").status_code == 200


def test_api_wrong_emailed_code_is_refused_and_dies_after_five_tries(api, mailoutbox):
    user = verified_user()
    guess_from_many_addresses(api, user)
    ticket = login(api, user, REMOTE_ADDR="192.0.2.50").data["error"]["ticket"]
    right = emailed_code(mailoutbox, user)
    wrong = "000000" if right != "000000" else "111111"

    tries = [
        api.post(LOGIN_CODE, {"ticket": ticket, "code": wrong}, format="json") for _ in range(5)
    ]
    too_late = api.post(LOGIN_CODE, {"ticket": ticket, "code": right}, format="json")

    assert [error_code(r) for r in tries] == ["invalid_code"] * 4 + ["code_expired"]
    assert "4 tries left" in tries[0].data["error"]["message"]
    assert error_code(too_late) == "code_expired"
    assert "access" not in too_late.data


def test_api_a_new_code_is_emailed_at_most_once_a_minute(api, mailoutbox):
    user = verified_user()
    guess_from_many_addresses(api, user)

    login(api, user, REMOTE_ADDR="192.0.2.50")
    login(api, user, REMOTE_ADDR="192.0.2.50")
    assert len(emails_about(mailoutbox, user, CODE_SUBJECT)) == 1
    PasswordGuard.objects.filter(user=user).update(
        last_sent_at=timezone.now() - timedelta(seconds=61)
    )
    login(api, user, REMOTE_ADDR="192.0.2.50")

    assert len(emails_about(mailoutbox, user, CODE_SUBJECT)) == 2


def test_api_a_forged_ticket_signs_nobody_in(api):
    user = verified_user()
    guess_from_many_addresses(api, user)

    response = api.post(LOGIN_CODE, {"ticket": "forged", "code": "123456"}, format="json")

    assert error_code(response) == "token_invalid"


def test_api_the_two_factor_ticket_is_not_a_code_ticket(api):
    user = verified_user()
    guess_from_many_addresses(api, user)
    two_factor_ticket = services.login_ticket_issue(user=user)

    response = api.post(LOGIN_CODE, {"ticket": two_factor_ticket, "code": "123456"}, format="json")

    assert error_code(response) == "token_invalid"


def test_the_owner_is_emailed_once_when_the_ceiling_is_crossed(api, mailoutbox):
    user = verified_user()
    guess_from_many_addresses(api, user, count=19)
    assert emails_about(mailoutbox, user, GUARD_SUBJECT) == []

    guess_from_many_addresses(api, user, count=30)

    notices = emails_about(mailoutbox, user, GUARD_SUBJECT)
    assert len(notices) == 1
    assert "choose a new password" in notices[0].body
    assert Notification.objects.filter(user=user, kind="security").count() == 1
    # nothing more is written once the guard is up: a guesser cannot fill the table
    assert PasswordFailure.objects.filter(user=user).count() == 20


def test_api_phone_code_sign_in_still_works_past_the_ceiling(api):
    user = verified_user(phone=PHONE)
    guess_from_many_addresses(api, user)

    challenge = request_phone_code(api, PHONE, REMOTE_ADDR="192.0.2.60").data["challenge"]
    response = verify_phone_code(api, challenge=challenge, code=texted_code(PHONE))

    assert response.status_code == 200, response.data
    assert response.data["access"]


def test_api_an_authenticator_user_past_the_ceiling_needs_no_emailed_code(api, mailoutbox):
    user = verified_user()
    device = services.totp_enrol_start(user=user)
    services.totp_enrol_confirm(user=user, code=totp_code(device))
    device.refresh_from_db()
    guess_from_many_addresses(api, user)

    response = login(api, user, code=totp_code(device, steps_ahead=1), REMOTE_ADDR="192.0.2.50")

    assert response.status_code == 200, response.data
    assert emails_about(mailoutbox, user, CODE_SUBJECT) == []


def test_api_below_the_ceiling_nothing_changes(api, mailoutbox):
    user = verified_user()
    guess_from_many_addresses(api, user, count=19)

    response = login(api, user, REMOTE_ADDR="192.0.2.50")

    assert response.status_code == 200, response.data
    assert emails_about(mailoutbox, user, CODE_SUBJECT) == []
    assert emails_about(mailoutbox, user, GUARD_SUBJECT) == []


def test_api_the_per_address_lock_still_works(api):
    user = verified_user()
    for _ in range(5):
        login(api, user, password="wrong", REMOTE_ADDR="203.0.113.9")

    locked = login(api, user, REMOTE_ADDR="203.0.113.9")
    elsewhere = login(api, user, REMOTE_ADDR="203.0.113.10")

    assert error_code(locked) == "login_locked"
    assert elsewhere.status_code == 200


def test_failures_older_than_the_window_do_not_count(api):
    user = verified_user()
    guess_from_many_addresses(api, user, count=19)
    PasswordFailure.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )
    guess_from_many_addresses(api, user, count=19)

    assert login(api, user, REMOTE_ADDR="192.0.2.50").status_code == 200
    assert services.password_failures_prune() == 19


def test_the_guard_survives_a_redis_restart(api):
    # The ceiling's state is in the database: flushing Redis gives a guesser nothing back.
    user = verified_user()
    guess_from_many_addresses(api, user)

    cache.clear()

    assert error_code(login(api, user, REMOTE_ADDR="192.0.2.50")) == "code_required"


def test_the_schema_documents_the_code_step(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    assert "/api/v1/auth/login/code/" in schema["paths"]
    assert "code_required" in schema["paths"]["/api/v1/auth/login/"]["post"]["description"]


# --- Pages -----------------------------------------------------------------------------------


def page_sign_in(client, user, password=PASSWORD, *, via: str):
    # Through our proxy, as production runs: the forwarded address is the client's.
    return client.post(
        PAGE_LOGIN,
        {"login": user.email, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=via,
    )


def guess_on_the_page(page, user, count: int = 25) -> None:
    for n in range(count):
        response = page_sign_in(page, user, f"guess-{n}", via=address(n))
        assert response.status_code == 200  # the form again, with its error


def test_page_right_password_after_25_guesses_asks_for_the_emailed_code(page, mailoutbox):
    user = verified_user()
    guess_on_the_page(page, user)

    response = page_sign_in(page, user, via="192.0.2.50")

    assert response.status_code == 302
    assert response["Location"] == PAGE_CODE
    assert not signed_in_on_page(page)
    shown = page.get(PAGE_CODE).content.decode()
    assert "Enter the code we emailed" in shown
    assert len(emails_about(mailoutbox, user, CODE_SUBJECT)) == 1
    assert len(emails_about(mailoutbox, user, GUARD_SUBJECT)) == 1


def test_page_emailed_code_finishes_the_sign_in(page, mailoutbox):
    user = verified_user()
    guess_on_the_page(page, user)
    page_sign_in(page, user, via="192.0.2.50")
    right = emailed_code(mailoutbox, user)

    wrong = page.post(PAGE_CODE, {"code": "000000" if right != "000000" else "111111"})
    assert "not right" in wrong.content.decode()
    assert not signed_in_on_page(page)
    done = page.post(PAGE_CODE, {"code": right})

    assert done.status_code == 302
    assert signed_in_on_page(page)
    assert not PasswordGuard.objects.filter(user=user).exists()


def test_page_asks_for_a_new_code(page, mailoutbox):
    user = verified_user()
    guess_on_the_page(page, user)
    page_sign_in(page, user, via="192.0.2.50")
    PasswordGuard.objects.filter(user=user).update(
        last_sent_at=timezone.now() - timedelta(seconds=61)
    )
    first = emailed_code(mailoutbox, user)

    page.post(PAGE_CODE, {"resend": "1"})
    second = emailed_code(mailoutbox, user)
    page.post(PAGE_CODE, {"code": second})

    assert len(emails_about(mailoutbox, user, CODE_SUBJECT)) == 2
    assert signed_in_on_page(page)
    assert page.post(PAGE_CODE, {"code": first}).status_code == 302  # the step is over


def test_page_code_step_cannot_be_opened_without_the_password(page):
    response = page.get(PAGE_CODE)

    assert response.status_code == 302
    assert response["Location"].startswith(PAGE_LOGIN)


def test_page_phone_code_sign_in_still_works_past_the_ceiling(page):
    # Even in the browser that just stopped at the emailed-code step.
    user = verified_user(phone=PHONE)
    guess_on_the_page(page, user)
    page_sign_in(page, user, via="192.0.2.50")

    page.post("/accounts/phone/", {"phone": PHONE})
    response = page.post("/accounts/phone/verify/", {"code": texted_code(PHONE)})

    assert response.status_code == 302
    assert response["Location"] != PAGE_CODE
    assert signed_in_on_page(page)


def test_page_password_reset_link_still_works_past_the_ceiling(page, mailoutbox):
    user = verified_user()
    guess_on_the_page(page, user)

    page.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://testserver(/\S+)", mailoutbox[-1].body).group(1)
    # allauth moves the key into the session and redirects to the form
    form_url = page.get(link, follow=True).redirect_chain[-1][0]
    done = page.post(
        form_url,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


def test_page_below_the_ceiling_nothing_changes(page, mailoutbox):
    user = verified_user()
    guess_on_the_page(page, user, count=19)

    response = page_sign_in(page, user, via="192.0.2.50")

    assert response["Location"] != PAGE_CODE
    assert signed_in_on_page(page)
    assert emails_about(mailoutbox, user, CODE_SUBJECT) == []


def test_page_the_per_address_lock_still_works(page):
    user = verified_user()
    for _ in range(5):
        page_sign_in(page, user, "wrong", via="203.0.113.9")

    response = page_sign_in(page, user, via="203.0.113.9")

    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in_on_page(page)


# --- Races -----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_guesses_arriving_together_at_the_ceiling_trip_one_guard_and_one_email(mailoutbox):
    user = verified_user()
    for n in range(18):
        services.login_failure_record(email=user.email, ip=address(n))

    results = race(
        [
            lambda n=n: services.login_failure_record(email=user.email, ip=address(100 + n))
            for n in range(6)
        ]
    )

    assert len(successes(results)) == 6
    assert PasswordGuard.objects.filter(user=user).count() == 1
    assert len(emails_about(mailoutbox, user, GUARD_SUBJECT)) == 1
