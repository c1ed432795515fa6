"""Account pages as a shopper uses them: sign-up, email links, sign-in by password or phone
code, the two-factor step, setting up an authenticator, the profile."""

import re

import pytest
from allauth.account.models import EmailAddress
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import services, sms
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

STRONG = "a long enough passphrase"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


def verified_user(**fields) -> User:
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def link_in(message) -> str:
    return re.search(r"https?://[^\s]+", message.body).group(0).replace("http://testserver", "")


def signed_in(client) -> bool:
    return client.get("/").context["user"].is_authenticated


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


# --- sign-up and email ----------------------------------------------------------------------


def test_signup_page_prefills_the_referral_code_from_the_link(client):
    html = client.get("/accounts/signup/?ref=ABCD2345").content.decode()

    assert 'value="ABCD2345"' in html


def test_signing_up_sends_a_link_that_verifies_and_signs_in(client, mailoutbox):
    referrer = verified_user()

    response = client.post(
        "/accounts/signup/",
        {
            "email": "New.Shopper@Example.in",
            "password1": STRONG,
            "full_name": "New Shopper",
            "phone": "98765 43210",
            "referral_code": referrer.referral_code,
        },
    )

    user = User.objects.get(email="new.shopper@example.in")
    assert user.referred_by == referrer and user.phone == "+919876543210"
    assert response.status_code == 302 and not signed_in(client)
    # the emailed link confirms the address and signs the new shopper in
    confirm_page = link_in(mailoutbox[-1])
    assert client.post(confirm_page).status_code == 302
    assert signed_in(client)
    assert services.email_is_verified(user)


def test_signup_shows_field_errors_and_keeps_what_was_typed(client):
    verified_user(email="taken@example.in")

    response = client.post(
        "/accounts/signup/",
        {"email": "TAKEN@example.in", "password1": "123", "phone": "12", "full_name": "Kept Name"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "already" in html  # email taken
    assert "too short" in html  # weak password
    assert "valid phone number" in html
    assert 'value="Kept Name"' in html
    assert User.objects.count() == 1


def test_signup_with_an_email_longer_than_254_characters_is_a_form_error(client):
    email = "a" * 250 + "@example.in"

    response = client.post("/accounts/signup/", {"email": email, "password1": STRONG})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An email address has at most 254 characters."
    ]
    assert not User.objects.exists()


def test_an_unverified_address_cannot_sign_in_yet(client, mailoutbox):
    UserFactory(email="new@example.in")
    EmailAddress.objects.create(email="new@example.in", user=User.objects.get(), primary=True)

    sign_in(client, "new@example.in")

    assert not signed_in(client)
    assert "confirm" in mailoutbox[-1].subject.lower()


def test_password_reset_by_email(client, mailoutbox):
    verified_user(email="asha@example.in")

    client.post("/accounts/password/reset/", {"email": "asha@example.in"})
    key_page = client.get(link_in(mailoutbox[-1]), follow=True)
    client.post(key_page.redirect_chain[-1][0], {"password1": STRONG, "password2": STRONG})

    assert User.objects.get(email="asha@example.in").check_password(STRONG)


# --- password sign-in and lockout ----------------------------------------------------------------


def test_sign_in_with_the_email_in_any_case(client):
    verified_user(email="asha@example.in")

    sign_in(client, "ASHA@Example.in")

    assert signed_in(client)


def test_five_wrong_passwords_lock_the_account_for_that_ip(client):
    verified_user(email="asha@example.in")
    for _ in range(5):
        sign_in(client, "asha@example.in", "wrong")

    response = sign_in(client, "asha@example.in")

    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_a_spoofed_forwarded_for_does_not_escape_the_lockout(client):
    # A client that is not one of our proxies writes its own X-Forwarded-For: ignored.
    verified_user(email="asha@example.in")
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(5):
        sign_in(client, "asha@example.in", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **outside)

    response = sign_in(client, "asha@example.in", HTTP_X_FORWARDED_FOR="10.9.9.9", **outside)

    assert "Too many failed sign-in attempts" in response.content.decode()


# --- two-factor --------------------------------------------------------------------------------


@pytest.fixture
def two_factor_user():
    user = verified_user(email="asha@example.in", phone="+919876543210")
    device = services.totp_enrol_start(user=user)
    codes = services.totp_enrol_confirm(user=user, code=totp_code(device))
    device.refresh_from_db()
    return user, device, codes


def test_password_sign_in_asks_for_the_second_factor_before_the_session(client, two_factor_user):

    response = sign_in(client, "asha@example.in")

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "not right" in wrong.content.decode()
    assert not signed_in(client)


def test_the_right_code_finishes_sign_in_and_verifies_the_session(client, two_factor_user):
    _user, device, _codes = two_factor_user
    sign_in(client, "asha@example.in")

    client.post("/accounts/2fa/authenticate/", {"code": totp_code(device, steps_ahead=1)})

    assert signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_backup_code_finishes_sign_in(client, two_factor_user):
    _user, _device, codes = two_factor_user
    sign_in(client, "asha@example.in")

    client.post("/accounts/2fa/authenticate/", {"code": codes[3]})

    assert signed_in(client)


def test_phone_code_sign_in_also_asks_for_the_second_factor(
    client, two_factor_user, django_capture_on_commit_callbacks
):
    _user, device, _codes = two_factor_user
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/phone/", {"phone": "98765 43210"})
    code = re.search(r"\d{6}", sms.outbox[-1]["body"]).group(0)

    response = client.post("/accounts/phone/verify/", {"code": code})

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(device, steps_ahead=1)})
    assert signed_in(client)


def test_the_two_factor_step_cannot_be_opened_without_a_password_first(client):
    response = client.get("/accounts/2fa/authenticate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_setting_up_an_authenticator(client):
    user = verified_user()
    client.force_login(user)

    setup = client.get("/accounts/2fa/setup/")
    device = user.totpdevice_set.get()
    done = client.post("/accounts/2fa/setup/", {"code": totp_code(device)}, follow=True)

    assert "data:image/svg+xml" in setup.content.decode()
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    assert services.two_factor_enabled(user)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # shown once: a refresh does not post again or show them again
    assert client.get("/accounts/2fa/backup-codes/")["Location"] == "/accounts/2fa/"


# --- phone sign-in ---------------------------------------------------------------------------


def test_phone_code_sign_in(client, django_capture_on_commit_callbacks):
    verified_user(phone="+919876543210")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/phone/", {"phone": "+91 98765 43210"})
    code = re.search(r"\d{6}", sms.outbox[-1]["body"]).group(0)

    assert sent["Location"].startswith("/accounts/phone/verify/")
    client.post("/accounts/phone/verify/", {"code": code})
    assert signed_in(client)


def test_phone_page_explains_an_unknown_number(client):
    response = client.post("/accounts/phone/", {"phone": "98765 43210"})

    assert "No account uses this phone number" in response.content.decode()
    assert sms.outbox == []


# --- profile ---------------------------------------------------------------------------------


def test_profile_saves_name_language_and_consent(client):
    user = verified_user(full_name="Asha")
    client.force_login(user)

    response = client.post(
        "/accounts/profile/",
        {
            "full_name": "Asha Verma",
            "language": "hi",
            "public_name": "full",
            "marketing_consent": "on",
            "notify_by_email": "on",
        },
    )

    user.refresh_from_db()
    assert (user.full_name, user.language, user.marketing_consent, user.notify_by_sms) == (
        "Asha Verma",
        "hi",
        True,
        False,
    )
    assert user.public_name == "full"
    assert response.cookies["django_language"].value == "hi"


def test_profile_offers_the_leaderboard_name_choices_with_the_current_one_chosen(client):
    user = verified_user(full_name="Asha Verma", public_name="hidden")
    client.force_login(user)

    html = client.get("/accounts/profile/").content.decode()

    assert "Your name on the referral leaderboard" in html
    assert "First name and initial (Asha V.)" in html and "Full name" in html
    chosen = re.search(r'<input type="radio"[^>]*value="hidden"[^>]*>', html, re.S).group()
    assert "checked" in chosen
    first_initial = re.search(r'<input type="radio"[^>]*value="first_initial"[^>]*>', html, re.S)
    assert "checked" not in first_initial.group()


def test_profile_refuses_an_unknown_leaderboard_name_choice_with_a_field_error(client):
    user = verified_user(full_name="Asha Verma")
    client.force_login(user)

    response = client.post(
        "/accounts/profile/",
        {"full_name": "Asha Verma", "language": "en", "public_name": "nickname"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert user.public_name == "first_initial"


def test_profile_shows_the_share_link_with_the_users_own_code(client):
    user = verified_user()
    client.force_login(user)

    html = client.get("/accounts/profile/").content.decode()

    assert f"/accounts/signup/?ref={user.referral_code}" in html


def test_changing_phone_on_the_profile_needs_the_code_sent_to_it(
    client, django_capture_on_commit_callbacks
):
    user = verified_user(phone="+919876543210")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/profile/phone/", {"phone": "98123 45678"})
    code = re.search(r"\d{6}", sms.outbox[-1]["body"]).group(0)

    client.post("/accounts/profile/phone/verify/", {"code": code})

    user.refresh_from_db()
    assert sms.outbox[-1]["to"] == "+919812345678"
    assert user.phone == "+919812345678"


def test_account_pages_need_a_signed_in_user(client):
    for path in ("/accounts/profile/", "/accounts/2fa/", "/accounts/2fa/setup/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_password_reset_ends_every_app_login(client, mailoutbox):
    from accounts import tokens

    user = verified_user(email="asha@example.in")
    issued = tokens.tokens_issue(user=user)

    client.post("/accounts/password/reset/", {"email": "asha@example.in"})
    key_page = client.get(link_in(mailoutbox[-1]), follow=True)
    client.post(key_page.redirect_chain[-1][0], {"password1": STRONG, "password2": STRONG})

    with pytest.raises(tokens.errors.TokenInvalid):
        tokens.tokens_refresh(refresh=issued["refresh"])


def test_google_sign_in_is_offered_only_when_configured(client, settings):
    settings.GOOGLE_CLIENT_ID = ""
    assert "Continue with Google" not in client.get("/accounts/login/").content.decode()

    settings.GOOGLE_CLIENT_ID = "client-id.apps.googleusercontent.com"
    settings.GOOGLE_CLIENT_SECRET = "secret"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            "APPS": [{"client_id": settings.GOOGLE_CLIENT_ID, "secret": "secret", "key": ""}]
        }
    }
    html = client.get("/accounts/login/").content.decode()

    assert "Continue with Google" in html
    assert "/accounts/google/login/" in html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/google/login/",
        "/accounts/google/login/callback/?code=abc&state=xyz",
        "/accounts/google/login/token/",
    ],
)
def test_google_routes_are_404_pages_when_google_is_not_configured(client, settings, path):
    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"APPS": []}}

    response = client.get(path)

    assert response.status_code == 404
