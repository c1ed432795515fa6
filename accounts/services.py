"""Account actions shared by the pages and the API: one set of rules for sign-up, logins,
the failed-login lockout, phone codes, two-factor enrolment and checks, and the profile."""

import base64
import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coupzii.core import counters
from coupzii.core.http import ip_bucket

from . import errors, tokens
from .models import PasswordFailure, PasswordGuard, PhoneCodeDevice, PublicName, User

# Besides its own actions, what other apps use of accounts, so that they import accounts.services
# alone (ARCHITECTURE.md, "Who may call whom"): telling users and operators something,
# registering the kinds they send, keeping demo data quiet, phone numbers, and texts an app
# sends itself. The `name as name` imports are these re-exports.
from .notifications import EMAIL, notification_send
from .notifications import SMS_MAX_LENGTH as SMS_MAX_LENGTH
from .notifications import Notice as Notice
from .notifications import NotificationKind as NotificationKind
from .notifications import in_app_only as in_app_only
from .notifications import in_app_only_active as in_app_only_active
from .notifications import notification_kind_register as notification_kind_register
from .notifications import notifications_send as notifications_send
from .notifications import operators_notify as operators_notify
from .phone import normalize_phone
from .referral import normalize_referral_code
from .sms import send_sms as send_sms

BACKUP_CODE_COUNT = 10

# --- Registration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    email: str
    phone: str | None
    referrer: User | None


def registration_validate(
    *, email: str, password: str, phone: str = "", referral_code: str = "", full_name: str = ""
) -> Registration:
    """Check a sign-up without saving it; raises RegistrationRefused naming every bad field."""
    fields: dict[str, list[str]] = {}
    email = User.objects.normalize_email(email.strip()).lower()
    email_max_length = User._meta.get_field("email").max_length
    if len(email) > email_max_length:
        fields["email"] = [
            _("An email address has at most %(max)s characters.") % {"max": email_max_length}
        ]
    elif User.objects.filter(email__iexact=email).exists():
        fields["email"] = [_("An account with this email already exists. Sign in instead.")]

    normalized_phone = None
    if phone and phone.strip():
        try:
            normalized_phone = normalize_phone(phone)
        except ValidationError as exc:
            fields["phone"] = exc.messages
        else:
            if User.objects.filter(phone=normalized_phone).exists():
                fields["phone"] = [str(errors.PhoneTaken.default_message)]

    try:
        password_validation.validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as exc:
        fields["password"] = exc.messages

    referrer = None
    if referral_code and referral_code.strip():
        referrer = User.objects.filter(
            referral_code=normalize_referral_code(referral_code), is_active=True
        ).first()
        if referrer is None:
            fields["referral_code"] = [
                _("This referral code doesn't exist. Check it or leave it empty.")
            ]

    if fields:
        raise errors.RegistrationRefused(fields=fields)
    return Registration(email=email, phone=normalized_phone, referrer=referrer)


@transaction.atomic
def user_register(
    *, email: str, password: str, full_name: str = "", phone: str = "", referral_code: str = ""
) -> User:
    """Create a shopper with an unverified email address (allauth sends the link).

    Raises RegistrationRefused with field messages: email taken, phone invalid or taken,
    weak password, unknown referral code.
    """
    registration = registration_validate(
        email=email,
        password=password,
        phone=phone,
        referral_code=referral_code,
        full_name=full_name,
    )
    try:
        # A savepoint, so the unique-constraint race below leaves the transaction usable.
        with transaction.atomic():
            user = User.objects.create_user(
                registration.email,
                password,
                full_name=full_name.strip(),
                phone=registration.phone,
                referred_by=registration.referrer,
            )
    except ValidationError as exc:
        # The model's own checks (an address longer than the column, say).
        raise errors.RegistrationRefused(fields=exc.message_dict) from exc
    except IntegrityError as exc:
        # Another sign-up with the same email or phone won the race since the check above.
        raise errors.RegistrationRefused(
            fields={"email": [_("An account with this email or phone already exists.")]}
        ) from exc
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


def email_is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


# --- A new password ------------------------------------------------------------------------------


def password_set(*, user: User, password: str | None) -> int:
    """Give the account a new password (None: no usable password, as an operator may choose)
    and end every one of its app logins, so a token taken with the old password dies with it.

    Every path that changes a password calls this: the pages (allauth's change, set and reset
    forms, through AccountAdapter.set_password), the API (password_change) and the admin's
    password form. The password was validated by the caller's form or by password_change.
    Returns how many app logins ended.
    """
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        return tokens.tokens_revoke_all(user=user, reason="password_changed")


def password_change(*, user: User, current_password: str, new_password: str) -> int:
    """Change a signed-in user's password after checking the current one (the API's path).

    Raises PasswordChangeRefused naming the field: a wrong current password, or a new one the
    password validators refuse. Returns how many app logins ended (all of them, this one too).
    """
    fields: dict[str, list[str]] = {}
    if not user.check_password(current_password):
        fields["current_password"] = [_("This is not your current password.")]
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        fields["new_password"] = exc.messages
    if fields:
        raise errors.PasswordChangeRefused(fields=fields)
    return password_set(user=user, password=new_password)


# --- Password login and the failed-login lockout -----------------------------------------------


def _failures_key(email: str, ip: str) -> str:
    return f"login-failures:{email.strip().lower()}:{ip_bucket(ip)}"


def _lock_key(email: str, ip: str) -> str:
    return f"login-locked:{email.strip().lower()}:{ip_bucket(ip)}"


def login_lockout_check(*, email: str, ip: str) -> None:
    """Raise LoginLocked while this account is locked for this client IP."""
    if cache.get(_lock_key(email, ip)):
        raise errors.LoginLocked()


def login_failure_record(*, email: str, ip: str) -> None:
    """Count a failed login; the fifth in a row locks the account for this IP for 15 minutes.

    The IP is the one `coupzii.core.http.client_ip` believes, so a client cannot reset the
    count by sending its own X-Forwarded-For.
    """
    failures = counters.incr(_failures_key(email, ip), ttl=settings.LOGIN_LOCKOUT_SECONDS)
    if failures >= settings.LOGIN_LOCKOUT_FAILURES:
        cache.set(_lock_key(email, ip), 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    password_failure_record(email=email, ip=ip)


def login_failures_clear(*, email: str, ip: str) -> None:
    counters.take(_failures_key(email, ip))


def password_login(*, email: str, password: str, ip: str) -> User:
    """Check an email and password. Raises LoginLocked, InvalidCredentials."""
    login_lockout_check(email=email, ip=ip)
    user = authenticate(None, username=email.strip(), password=password)
    if user is None:
        login_failure_record(email=email, ip=ip)
        raise errors.InvalidCredentials()
    login_failures_clear(email=email, ip=ip)
    return user


# --- The account-wide ceiling on wrong passwords ("password guard") ----------------------------
#
# The lockout above counts per (account, address), so a guesser with many addresses is not
# slowed by it. Here every wrong password for an account counts, from wherever it came: past
# PASSWORD_GUARD_FAILURES within the window the account gets a PasswordGuard row, its owner is
# emailed once, and until a sign-in gives the right password and a code emailed to the account,
# a password alone signs nobody in. Phone codes, email links and authenticator users carry on.

EMAILED_CODE_TICKET_SALT = "accounts.password-guard-ticket"
PASSWORD_GUARD_RESEND_SECONDS = 60


def password_failure_record(*, email: str, ip: str) -> None:
    """Count a wrong password against the account, if there is one; trip the guard at the
    ceiling and tell the owner (once: only the request that creates the guard does)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    # Once tripped, the guard stays until the owner clears it: further failures need no row,
    # so a guesser cannot fill the table.
    if user is None or PasswordGuard.objects.filter(user=user).exists():
        return
    window_start = timezone.now() - timedelta(seconds=settings.PASSWORD_GUARD_WINDOW_SECONDS)
    with transaction.atomic():
        PasswordFailure.objects.create(user=user, ip=ip_bucket(ip))
        recent = PasswordFailure.objects.filter(user=user, created_at__gte=window_start).count()
        if recent < settings.PASSWORD_GUARD_FAILURES:
            return
        # Two failures at the ceiling race here: the unique user column lets one create it.
        _guard, created = PasswordGuard.objects.get_or_create(user=user)
        if created:
            _notify_password_guard_tripped(user)


def _notify_password_guard_tripped(user: User) -> None:
    notification_send(
        user=user,
        kind="security",
        # Lazy: the notification is stored in every site language, and emailed in the user's.
        title=gettext_lazy("Someone is trying to guess your password"),
        body=gettext_lazy(
            "There were many wrong passwords for your account in the last few minutes, from "
            "different places. To keep it safe, signing in with your password now also needs "
            "a code we email you. Signing in with a code by SMS works as before. If you don't "
            "recognise this, choose a new password."
        ),
        link=reverse("account_reset_password"),
        channels=(EMAIL,),
    )


def password_guard_code_required(user: User) -> bool:
    """True when a password sign-in of `user` also needs an emailed code.

    Accounts with an authenticator are left alone: their password alone never signed them in.
    """
    return PasswordGuard.objects.filter(user=user).exists() and not two_factor_enabled(user)


def password_guard_code_send(*, user: User) -> None:
    """Email a fresh 6-digit sign-in code to the account's address.

    Raises CodeSendLimited within a minute of the last one (which still works), so a
    guesser who has the password cannot bury the owner in email.
    """
    from .tasks import send_email  # tasks import services for the notification task

    now = timezone.now()
    with transaction.atomic():
        guard = PasswordGuard.objects.select_for_update().filter(user=user).first()
        if guard is None:
            return
        if guard.last_sent_at and guard.valid_until and guard.valid_until > now:
            wait = PASSWORD_GUARD_RESEND_SECONDS - (now - guard.last_sent_at).total_seconds()
            if wait > 0 and guard.attempts_left:
                raise errors.CodeSendLimited(retry_after=int(wait) + 1)
        code = f"{secrets.randbelow(1_000_000):06d}"
        guard.challenge = secrets.token_urlsafe(24)
        guard.code_hash = _code_hash(guard.challenge, code)
        guard.valid_until = now + timedelta(seconds=settings.PASSWORD_GUARD_CODE_TTL_SECONDS)
        guard.attempts_left = settings.PASSWORD_GUARD_CODE_MAX_ATTEMPTS
        guard.last_sent_at = now
        guard.save()
        with translation.override(user.language):
            subject = _("Coupzii: your sign-in code")
            body = _password_guard_email(user, code)
        transaction.on_commit(lambda: send_email.delay(to=user.email, subject=subject, body=body))


def _password_guard_email(user: User, code: str) -> str:
    minutes = settings.PASSWORD_GUARD_CODE_TTL_SECONDS // 60
    return "\n\n".join(
        [
            _("Hi %(name)s,") % {"name": user.get_short_name()},
            _("Your Coupzii sign-in code is %(code)s. It expires in %(minutes)d minutes.")
            % {"code": code, "minutes": minutes},
            _(
                "We ask for it because someone tried many wrong passwords on your account. "
                "If you didn't just sign in with your password, someone else knows it: "
                "choose a new one. Never share this code."
            ),
            _("The Coupzii team"),
        ]
    )


def password_guard_code_verify(*, user: User, code: str) -> None:
    """Accept the emailed code; with it the password sign-in is complete, so the guard and
    the account's counted failures are cleared.

    Raises InvalidCode (wrong; tries left in the message), CodeExpired (expired, or dead
    after five wrong tries). Wrong tries are saved even though the call raises.
    """
    with transaction.atomic():
        guard = PasswordGuard.objects.select_for_update().filter(user=user).first()
        if guard is None:
            # Cleared meanwhile (the owner signed in): the password is all that is needed.
            return
        outcome = _check_guard_code(guard, code.strip())
        if outcome == "ok":
            guard.delete()
            PasswordFailure.objects.filter(user=user).delete()
        elif outcome == "wrong":
            guard.attempts_left -= 1
            guard.save(update_fields=["attempts_left", "updated_at"])
    if outcome == "ok":
        return
    if outcome == "wrong" and guard.attempts_left > 0:
        raise errors.InvalidCode(
            _("That code is not right. %(count)d tries left.") % {"count": guard.attempts_left},
            fields={"code": [_("That code is not right.")]},
        )
    raise errors.CodeExpired(fields={"code": [str(errors.CodeExpired.default_message)]})


def _check_guard_code(guard: PasswordGuard, code: str) -> str:
    if not guard.code_hash or guard.attempts_left == 0 or not guard.valid_until:
        return "dead"
    if guard.valid_until <= timezone.now():
        return "dead"
    if hmac.compare_digest(guard.code_hash, _code_hash(guard.challenge, code)):
        return "ok"
    return "wrong"


def password_guard_check(*, user: User) -> None:
    """For the API, after the right password: raise LoginCodeRequired, with a ticket for
    login/code/, when the account needs a code too (emailed now, or a minute ago)."""
    if not password_guard_code_required(user):
        return
    # Within a minute of the last code, that code is still good: no new one.
    with contextlib.suppress(errors.CodeSendLimited):
        password_guard_code_send(user=user)
    ticket = signing.dumps(
        {"user": str(user.public_id)}, salt=EMAILED_CODE_TICKET_SALT, compress=True
    )
    raise errors.LoginCodeRequired(extra={"ticket": ticket})


def password_guard_ticket_redeem(*, ticket: str) -> User:
    """The user whose right password earned this ticket. Raises TokenInvalid when it is
    forged, older than the code's lifetime, or its user is inactive."""
    return _ticket_user(
        ticket, salt=EMAILED_CODE_TICKET_SALT, max_age=settings.PASSWORD_GUARD_CODE_TTL_SECONDS
    )


def password_failures_prune() -> int:
    """Delete counted failures older than the window: they no longer count. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.PASSWORD_GUARD_WINDOW_SECONDS)
    deleted, _by_model = PasswordFailure.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Two-factor ---------------------------------------------------------------------------


LOGIN_TICKET_SALT = "accounts.login-ticket"
LOGIN_TICKET_SECONDS = 5 * 60


def login_ticket_issue(*, user: User) -> str:
    """A signed note that `user` passed their first factor, good for five minutes, so an app
    can ask for the second factor without making them type the password or wait for another
    SMS. On its own it signs nobody in: it only stands in for the first factor."""
    return signing.dumps({"user": str(user.public_id)}, salt=LOGIN_TICKET_SALT, compress=True)


def login_ticket_redeem(*, ticket: str) -> User:
    """Raises TokenInvalid when the ticket is forged, expired or its user is inactive."""
    return _ticket_user(ticket, salt=LOGIN_TICKET_SALT, max_age=LOGIN_TICKET_SECONDS)


def _ticket_user(ticket: str, *, salt: str, max_age: int) -> User:
    try:
        data = signing.loads(ticket, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:
        raise errors.TokenInvalid(_("This sign-in step has expired. Start again.")) from exc
    user = User.objects.filter(public_id=data.get("user"), is_active=True).first()
    if user is None:
        raise errors.TokenInvalid(_("This sign-in step has expired. Start again."))
    return user


def two_factor_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _normalize_second_factor(code: str) -> str:
    return code.strip().replace(" ", "").replace("-", "").lower()


def two_factor_verify(*, user: User, code: str) -> Device:
    """Accept a TOTP code (each time step once only) or an unused backup code.

    Raises SecondFactorThrottled after repeated wrong codes (django-otp's exponential
    back-off), InvalidSecondFactor for a wrong, replayed or used code.
    """
    code = _normalize_second_factor(code)
    # Six digits is an authenticator code; anything else can only be a backup code. Trying a
    # code on the wrong kind of device would count a failure against it and throttle it.
    device_model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    # Raise outside the transaction, so a wrong code's throttle count is kept.
    with transaction.atomic():
        # Row locks: two requests with the same code must not both pass the replay check.
        devices = list(
            device_model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
        )
        throttled = any(not device.verify_is_allowed()[0] for device in devices)
        matched = None if throttled else next((d for d in devices if d.verify_token(code)), None)
    if throttled:
        raise errors.SecondFactorThrottled()
    if matched is None:
        raise errors.InvalidSecondFactor()
    return matched


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator for the user to scan: the pending one if there is one,
    so reloading the page does not change the QR code they may already have scanned."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return pending or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


def confirmed_totp_device(*, user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def totp_secret_for_display(device: TOTPDevice) -> str:
    """The key in base32 groups of four, for typing into an app that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_enrol_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code; returns fresh backup codes.

    Raises InvalidSecondFactor when the code is wrong or no enrolment is pending.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        accepted = device is not None and device.verify_token(_normalize_second_factor(code))
        if accepted:
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = backup_codes_regenerate(user=user)
    if not accepted:
        raise errors.InvalidSecondFactor()
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """Ten new single-use backup codes, shown once; earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor off; needs a valid code so a borrowed session cannot do it."""
    two_factor_verify(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


# --- Phone codes -----------------------------------------------------------------------------


def _code_hash(challenge: str, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table alone does not let anyone try the million codes.
    message = f"{challenge}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _phone_or_error(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError as exc:
        raise errors.InvalidCode(exc.messages[0], fields={"phone": exc.messages}) from exc


def _consume_phone_limit(*, phone: str) -> None:
    if (
        counters.incr(f"sms-phone-hour:{phone}", ttl=3600)
        > settings.PHONE_CODE_LIMITS["per_phone_hour"]
    ):
        raise errors.CodeSendLimited(retry_after=3600)


def phone_code_request(*, phone: str, ip: str, user: User | None = None) -> str:
    """Text a 6-digit code to `phone`; returns the challenge id the code is bound to.

    Without `user` the code is for signing in, and the phone must belong to an account; with
    `user` it is for that user to take the phone as theirs. Raises PhoneNotRegistered,
    PhoneTaken, CodeSendLimited (one code a minute and five an hour per phone, twenty an hour
    per client IP).
    """
    from .tasks import send_sms  # tasks import services for the notification task

    phone = _phone_or_error(phone)
    # Every attempt counts against the client's budget, so probing which numbers have
    # accounts is as slow as sending codes.
    if (
        counters.incr(f"sms-ip-hour:{ip_bucket(ip)}", ttl=3600)
        > settings.PHONE_CODE_LIMITS["per_ip_hour"]
    ):
        raise errors.CodeSendLimited(retry_after=3600)
    owner = User.objects.filter(phone=phone, is_active=True).first()
    if user is None and owner is None:
        raise errors.PhoneNotRegistered()
    if user is not None and owner is not None and owner.pk != user.pk:
        raise errors.PhoneTaken()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        device, _created = PhoneCodeDevice.objects.select_for_update().get_or_create(
            user=user or owner, phone=phone, defaults={"name": "SMS"}
        )
        allowed, detail = device.generate_is_allowed()
        if not allowed:
            wait = (detail["next_generation_at"] - timezone.now()).total_seconds()
            raise errors.CodeSendLimited(retry_after=max(1, int(wait) + 1))
        _consume_phone_limit(phone=phone)
        device.challenge = secrets.token_urlsafe(24)
        device.code_hash = _code_hash(device.challenge, code)
        device.valid_until = timezone.now() + timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS)
        device.attempts_left = settings.PHONE_CODE_MAX_ATTEMPTS
        device.cooldown_set(commit=False)
        device.save()
        body = _("Your Coupzii code is %(code)s. It expires in 5 minutes. Never share it.") % {
            "code": code
        }
        transaction.on_commit(lambda: send_sms.delay(to=phone, body=body))
    return device.challenge


def phone_code_verify(*, phone: str, challenge: str, code: str) -> PhoneCodeDevice:
    """Use a phone code once. Raises CodeExpired (expired, used, unknown challenge, or dead
    after five wrong tries), InvalidCode (wrong; the message says how many tries are left),
    SecondFactorThrottled (tries too fast).

    Not wrapped in a caller's transaction on purpose: a wrong try must be saved even though
    the call raises.
    """
    phone = _phone_or_error(phone)
    with transaction.atomic():
        device = (
            PhoneCodeDevice.objects.select_for_update()
            .filter(phone=phone, challenge=challenge)
            .exclude(challenge="")
            .first()
        )
        outcome = _check_phone_code(device, challenge, code.strip())
        if outcome == "ok":
            device.code_hash = device.challenge = ""
            device.valid_until = None
            device.attempts_left = 0
            device.throttle_reset(commit=False)
            device.save()
        elif outcome == "wrong":
            device.attempts_left -= 1
            device.throttle_increment(commit=False)
            device.save()
    if outcome == "ok":
        return device
    if outcome == "throttled":
        raise errors.SecondFactorThrottled()
    if outcome == "wrong" and device.attempts_left > 0:
        raise errors.InvalidCode(
            _("That code is not right. %(count)d tries left.") % {"count": device.attempts_left},
            fields={"code": [_("That code is not right.")]},
        )
    raise errors.CodeExpired(fields={"code": [str(errors.CodeExpired.default_message)]})


def _check_phone_code(device: PhoneCodeDevice | None, challenge: str, code: str) -> str:
    if device is None or device.attempts_left == 0 or not device.valid_until:
        return "dead"
    if device.valid_until <= timezone.now():
        return "dead"
    if not device.verify_is_allowed()[0]:
        return "throttled"
    if hmac.compare_digest(device.code_hash, _code_hash(challenge, code)):
        return "ok"
    return "wrong"


def phone_login(*, phone: str, challenge: str, code: str) -> User:
    """The user whose phone received this code (first factor only; two-factor comes after)."""
    device = phone_code_verify(phone=phone, challenge=challenge, code=code)
    user = device.user
    if not user.is_active or user.phone != device.phone:
        raise errors.CodeExpired()
    return user


def phone_change_confirm(*, user: User, phone: str, challenge: str, code: str) -> User:
    """Make `phone` the user's number once they prove they receive texts on it."""
    device = phone_code_verify(phone=phone, challenge=challenge, code=code)
    if device.user_id != user.pk:
        raise errors.CodeExpired()
    try:
        with transaction.atomic():
            user.phone = device.phone
            user.save(update_fields=["phone", "updated_at"])
    except IntegrityError as exc:
        raise errors.PhoneTaken(fields={"phone": [str(errors.PhoneTaken.default_message)]}) from exc
    return user


# --- Profile -----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "full_name",
    "language",
    "public_name",
    "marketing_consent",
    "notify_by_email",
    "notify_by_sms",
)


@transaction.atomic
def profile_update(*, user: User, **changes) -> User:
    """Change the profile fields a user may change themselves (not email, phone or password,
    which have their own checks). Raises DomainError naming unknown or invalid fields."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise errors.RegistrationRefused(
            fields={name: [_("This field can't be changed here.")] for name in sorted(unknown)}
        )
    if "language" in changes and changes["language"] not in dict(settings.LANGUAGES):
        raise errors.RegistrationRefused(fields={"language": [_("Choose English or Hindi.")]})
    if "public_name" in changes and changes["public_name"] not in PublicName.values:
        raise errors.RegistrationRefused(
            fields={"public_name": [_("Choose how your name is shown.")]}
        )
    if "full_name" in changes:
        changes["full_name"] = changes["full_name"].strip()[:150]
    for name, value in changes.items():
        setattr(user, name, value)
    user.save(update_fields=[*changes, "updated_at"])
    return user
