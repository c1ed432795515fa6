"""The account rules shared by pages and API (accounts.services)."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import errors, services, sms
from accounts.models import PhoneCodeDevice, User
from accounts.referral import ALPHABET, normalize_referral_code
from accounts.tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"
STRONG = "a long enough passphrase"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


@pytest.fixture
def no_backoff(monkeypatch):
    # django-otp backs off exponentially between wrong tries; tests of the "5 tries" rule
    # switch that configuration off so they need not wait (the back-off has its own test).
    monkeypatch.setattr(PhoneCodeDevice, "get_throttle_factor", lambda self: 0)


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):
    """phone_code_request with its after-commit SMS actually sent (tests run in a transaction)."""

    def send(**kwargs) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return services.phone_code_request(**kwargs)

    return send


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1]["body"]).group(1)


def allow_next_send(phone: str) -> None:
    # Step past the one-code-a-minute cooldown without sleeping.
    PhoneCodeDevice.objects.filter(phone=phone).update(
        last_generated_timestamp=timezone.now() - timedelta(minutes=2)
    )


# --- registration ------------------------------------------------------------------------------


def test_register_creates_an_unverified_shopper_with_a_referral_code():
    user = services.user_register(email="Asha@Example.in", password=STRONG, full_name=" Asha ")

    assert user.email == "asha@example.in"
    assert user.full_name == "Asha"
    assert len(user.referral_code) == 8
    assert set(user.referral_code) <= set(ALPHABET)
    assert not services.email_is_verified(user)
    assert EmailAddress.objects.get(user=user).primary


def test_register_names_every_bad_field_at_once():
    UserFactory(email="taken@example.in", phone="+919876543210")

    with pytest.raises(errors.RegistrationRefused) as refused:
        services.user_register(
            email="TAKEN@example.in",
            password="12345",
            phone="98765 43210",
            referral_code="NOPE2345",
        )

    assert set(refused.value.fields) == {"email", "password", "phone", "referral_code"}
    assert not User.objects.filter(email="taken@example.in").exclude(phone="+919876543210").exists()


def test_register_refuses_an_invalid_phone():
    with pytest.raises(errors.RegistrationRefused) as refused:
        services.user_register(email="new@example.in", password=STRONG, phone="12345")

    assert "phone" in refused.value.fields


def test_a_referral_code_records_who_referred_whom_typed_loosely():
    referrer = UserFactory()
    typed = " " + referrer.referral_code.lower()[:4] + "-" + referrer.referral_code.lower()[4:]

    newcomer = services.user_register(email="new@example.in", password=STRONG, referral_code=typed)

    assert newcomer.referred_by == referrer
    assert list(referrer.referrals.all()) == [newcomer]


def test_referral_codes_are_read_without_case_spaces_or_dashes():
    assert normalize_referral_code(" ab cd-2345 ") == "ABCD2345"


def test_every_user_gets_a_different_referral_code():
    codes = {UserFactory().referral_code for _ in range(50)}

    assert len(codes) == 50


# --- password login and lockout ----------------------------------------------------------------


def test_password_login_returns_the_user():
    user = UserFactory(email="asha@example.in")

    assert services.password_login(email="ASHA@example.in", password=PASSWORD, ip=IP) == user


def test_five_failures_lock_the_account_for_that_ip_for_15_minutes(settings):
    UserFactory(email="asha@example.in")
    for _ in range(5):
        with pytest.raises(errors.InvalidCredentials):
            services.password_login(email="asha@example.in", password="wrong", ip=IP)

    # the right password is refused too while the lock lasts
    with pytest.raises(errors.LoginLocked) as locked:
        services.password_login(email="asha@example.in", password=PASSWORD, ip=IP)
    assert "15 minutes" in locked.value.message
    # another client is not locked out of the account
    assert services.password_login(email="asha@example.in", password=PASSWORD, ip="198.51.100.4")


def test_a_success_resets_the_failure_count():
    UserFactory(email="asha@example.in")
    for _ in range(4):
        with pytest.raises(errors.InvalidCredentials):
            services.password_login(email="asha@example.in", password="wrong", ip=IP)
    services.password_login(email="asha@example.in", password=PASSWORD, ip=IP)

    for _ in range(4):
        with pytest.raises(errors.InvalidCredentials):
            services.password_login(email="asha@example.in", password="wrong", ip=IP)
    assert services.password_login(email="asha@example.in", password=PASSWORD, ip=IP)


def test_ipv6_neighbours_share_one_lockout():
    UserFactory(email="asha@example.in")
    for n in range(5):
        with pytest.raises(errors.InvalidCredentials):
            services.password_login(
                email="asha@example.in", password="wrong", ip=f"2001:db8::{n + 1}"
            )

    with pytest.raises(errors.LoginLocked):
        services.password_login(email="asha@example.in", password=PASSWORD, ip="2001:db8::99")


# --- two-factor --------------------------------------------------------------------------------


@pytest.fixture
def enrolled():
    user = UserFactory()
    device = services.totp_enrol_start(user=user)
    codes = services.totp_enrol_confirm(user=user, code=totp_code(device))
    device.refresh_from_db()
    return user, device, codes


def test_enrolment_needs_a_correct_first_code():
    user = UserFactory()
    services.totp_enrol_start(user=user)

    with pytest.raises(errors.InvalidSecondFactor):
        services.totp_enrol_confirm(user=user, code="000000")
    assert not services.two_factor_enabled(user)


def test_enrolment_gives_ten_single_use_backup_codes(enrolled):
    user, _device, codes = enrolled

    assert services.two_factor_enabled(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}", code) for code in codes)


def test_reloading_the_setup_page_keeps_the_same_secret():
    user = UserFactory()

    assert services.totp_enrol_start(user=user).key == services.totp_enrol_start(user=user).key


def test_a_totp_code_works_once_only(enrolled):
    user, device, _codes = enrolled
    code = totp_code(device, steps_ahead=1)

    services.two_factor_verify(user=user, code=code)
    with pytest.raises(errors.InvalidSecondFactor):
        services.two_factor_verify(user=user, code=code)


def wait_out_backoff(user) -> None:
    # What waiting a few seconds after a wrong code does, without the wait.
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)


def test_a_backup_code_works_once_only(enrolled):
    user, _device, codes = enrolled

    services.two_factor_verify(user=user, code=codes[0].upper())
    with pytest.raises(errors.InvalidSecondFactor):
        services.two_factor_verify(user=user, code=codes[0])
    wait_out_backoff(user)
    services.two_factor_verify(user=user, code=codes[1])


def test_using_a_backup_code_does_not_throttle_the_authenticator(enrolled):
    user, device, codes = enrolled

    services.two_factor_verify(user=user, code=codes[0])

    assert services.two_factor_verify(user=user, code=totp_code(device, steps_ahead=1))


def test_wrong_codes_are_throttled(enrolled):
    user, device, _codes = enrolled
    with pytest.raises(errors.InvalidSecondFactor):
        services.two_factor_verify(user=user, code="000000")

    # even the right code waits out the back-off after a wrong one
    with pytest.raises(errors.SecondFactorThrottled):
        services.two_factor_verify(user=user, code=totp_code(device, steps_ahead=1))


def test_new_backup_codes_replace_the_old_ones(enrolled):
    user, _device, old_codes = enrolled

    new_codes = services.backup_codes_regenerate(user=user)

    with pytest.raises(errors.InvalidSecondFactor):
        services.two_factor_verify(user=user, code=old_codes[0])
    wait_out_backoff(user)
    assert services.two_factor_verify(user=user, code=new_codes[0])


def test_turning_two_factor_off_needs_a_code(enrolled):
    user, _device, codes = enrolled
    with pytest.raises(errors.InvalidSecondFactor):
        services.two_factor_disable(user=user, code="000000")
    assert services.two_factor_enabled(user)

    wait_out_backoff(user)
    services.two_factor_disable(user=user, code=codes[0])
    assert not services.two_factor_enabled(user)


# --- phone codes ------------------------------------------------------------------------------


@pytest.fixture
def phone_user():
    return UserFactory(phone="+919876543210")


def test_a_phone_code_is_texted_and_signs_in_once(phone_user, send_code):
    challenge = send_code(phone="98765 43210", ip=IP)

    assert sms.outbox[-1]["to"] == "+919876543210"
    code = last_code()
    assert services.phone_login(phone="+919876543210", challenge=challenge, code=code) == phone_user
    with pytest.raises(errors.CodeExpired):
        services.phone_login(phone="+919876543210", challenge=challenge, code=code)


def test_only_a_hash_of_the_code_is_stored(phone_user, send_code):
    send_code(phone="+919876543210", ip=IP)

    device = PhoneCodeDevice.objects.get(user=phone_user)
    assert last_code() not in device.code_hash
    assert len(device.code_hash) == 64


def test_a_code_is_bound_to_the_challenge_it_was_sent_for(phone_user, send_code):
    send_code(phone="+919876543210", ip=IP)

    with pytest.raises(errors.CodeExpired):
        services.phone_login(phone="+919876543210", challenge="someone-elses", code=last_code())


def test_a_code_expires_after_five_minutes(phone_user, send_code):
    challenge = send_code(phone="+919876543210", ip=IP)
    PhoneCodeDevice.objects.update(valid_until=timezone.now() - timedelta(seconds=1))

    with pytest.raises(errors.CodeExpired):
        services.phone_login(phone="+919876543210", challenge=challenge, code=last_code())


def test_five_wrong_tries_kill_the_code(phone_user, no_backoff, send_code):
    challenge = send_code(phone="+919876543210", ip=IP)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    for tries_left in (4, 3, 2, 1):
        with pytest.raises(errors.InvalidCode, match=f"{tries_left} tries left"):
            services.phone_login(phone="+919876543210", challenge=challenge, code=wrong)
    with pytest.raises(errors.CodeExpired):
        services.phone_login(phone="+919876543210", challenge=challenge, code=wrong)
    with pytest.raises(errors.CodeExpired):
        services.phone_login(phone="+919876543210", challenge=challenge, code=code)


def test_wrong_phone_codes_back_off(phone_user, send_code):
    challenge = send_code(phone="+919876543210", ip=IP)
    code = last_code()
    with pytest.raises(errors.InvalidCode):
        services.phone_login(
            phone="+919876543210",
            challenge=challenge,
            code="000000" if code != "000000" else "111111",
        )

    with pytest.raises(errors.SecondFactorThrottled):
        services.phone_login(phone="+919876543210", challenge=challenge, code=code)


def test_one_code_a_minute_per_phone(phone_user, send_code):
    send_code(phone="+919876543210", ip=IP)

    with pytest.raises(errors.CodeSendLimited) as limited:
        send_code(phone="+919876543210", ip="198.51.100.4")
    assert 0 < limited.value.retry_after <= 61
    assert len(sms.outbox) == 1


def test_five_codes_an_hour_per_phone(phone_user, send_code):
    for _ in range(5):
        send_code(phone="+919876543210", ip=IP)
        allow_next_send("+919876543210")

    with pytest.raises(errors.CodeSendLimited):
        send_code(phone="+919876543210", ip=IP)
    assert len(sms.outbox) == 5


def test_twenty_codes_an_hour_per_client_ip(send_code):
    for n in range(20):
        UserFactory(phone=f"+9198765432{n:02d}")
        send_code(phone=f"+9198765432{n:02d}", ip=IP)
    UserFactory(phone="+919876543299")

    with pytest.raises(errors.CodeSendLimited):
        send_code(phone="+919876543299", ip=IP)
    assert len(sms.outbox) == 20


def test_an_unknown_phone_gets_no_sms(send_code):
    with pytest.raises(errors.PhoneNotRegistered):
        send_code(phone="+919876543210", ip=IP)
    assert sms.outbox == []


def test_changing_phone_needs_a_code_sent_to_the_new_number(send_code):
    user = UserFactory(phone="+919876543210")
    challenge = send_code(phone="+919812345678", ip=IP, user=user)

    services.phone_change_confirm(
        user=user, phone="+919812345678", challenge=challenge, code=last_code()
    )

    user.refresh_from_db()
    assert user.phone == "+919812345678"


def test_nobody_can_take_a_phone_another_account_uses(phone_user, send_code):
    with pytest.raises(errors.PhoneTaken):
        send_code(phone="+919876543210", ip=IP, user=UserFactory())


# --- profile -----------------------------------------------------------------------------------


def test_profile_update_changes_only_what_a_user_may_change():
    user = UserFactory()

    services.profile_update(user=user, full_name=" Ravi ", language="hi", marketing_consent=True)

    user.refresh_from_db()
    assert (user.full_name, user.language, user.marketing_consent) == ("Ravi", "hi", True)
    with pytest.raises(errors.RegistrationRefused):
        services.profile_update(user=user, email="other@example.in")
    with pytest.raises(errors.RegistrationRefused):
        services.profile_update(user=user, language="fr")
    with pytest.raises(errors.RegistrationRefused):
        services.profile_update(user=user, public_name="nickname")
    services.profile_update(user=user, public_name="hidden")
    user.refresh_from_db()
    assert user.public_name == "hidden"
