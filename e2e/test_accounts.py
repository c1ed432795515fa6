"""Journeys: sign up and confirm the email, sign in with a phone code, set up an authenticator
and sign in with it. The server is live gunicorn + a Celery worker on PostgreSQL and Redis."""

import base64
import re
import uuid

from django_otp.oath import TOTP
from playwright.sync_api import expect

from .conftest import (
    assert_fits_the_screen,
    last_email_to,
    last_sms_code,
    snapshot,
    worker_log_size,
)

PASSWORD = "a long enough passphrase"


def submit(page) -> None:
    page.locator("main form button[type=submit]").last.click()


def fresh_email(page) -> str:
    return f"journey-{page.device}-{uuid.uuid4().hex[:8]}@example.in"


def sign_up_and_confirm(page, email: str, phone: str = "") -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Full name").fill("Journey Shopper")
    if phone:
        page.get_by_label("Mobile number").fill(phone)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("email")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", last_email_to(email)).group(0)
    page.goto(link)
    submit(page)


def test_shopper_signs_up_confirms_email_and_is_signed_in(page):
    email = fresh_email(page)
    page.goto("/accounts/signup/?ref=NOSUCHCODE")
    expect(page.get_by_label("Referral code")).to_have_value("NOSUCHCODE")
    assert_fits_the_screen(page)
    snapshot(page, "signup")

    # a bad referral code is explained and nothing typed is lost
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    expect(page.get_by_text("This referral code doesn't exist")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)

    page.get_by_label("Referral code").fill("")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    snapshot(page, "verification-sent")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", last_email_to(email)).group(0)
    page.goto(link)
    submit(page)

    page.goto("/accounts/profile/")
    expect(page.locator("main").get_by_text(email).first).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "profile")


def test_shopper_signs_in_with_a_phone_code(page):
    phone_digits = f"98{uuid.uuid4().int % 10**8:08d}"
    sign_up_and_confirm(page, fresh_email(page), phone=phone_digits)
    page.context.clear_cookies()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="phone code").click()
    log_offset = worker_log_size()
    page.get_by_label("Mobile number").fill(phone_digits)
    submit(page)
    code = last_sms_code(f"+91{phone_digits}", after=log_offset)
    assert_fits_the_screen(page)
    snapshot(page, "phone-code")
    page.get_by_label("Code").fill(code)
    submit(page)

    page.goto("/accounts/profile/")
    expect(page.locator("main").get_by_text(f"+91{phone_digits}").first).to_be_visible()


def test_shopper_sets_up_an_authenticator_and_signs_in_with_it(page):
    email = fresh_email(page)
    sign_up_and_confirm(page, email)

    page.goto("/accounts/2fa/setup/")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    authenticator = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    assert_fits_the_screen(page)
    snapshot(page, "totp-setup")
    page.get_by_label("Code").fill(f"{authenticator.token():06d}")
    submit(page)
    expect(page.get_by_text(re.compile(r"[0-9a-f]{4}-[0-9a-f]{4}")).first).to_be_visible()
    snapshot(page, "backup-codes")

    # signing in again now needs the authenticator after the password
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    authenticator.time += 30  # the next step: the setup code may not be used twice
    page.get_by_label("Code").fill(f"{authenticator.token():06d}")
    submit(page)
    page.goto("/accounts/2fa/")
    expect(page.get_by_text(re.compile("on", re.IGNORECASE)).first).to_be_visible()
