"""Why an account action was refused: stable codes for the API, messages for people."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import DomainError


class RegistrationRefused(DomainError):
    code = "registration_refused"
    default_message = _("Some details need another look.")


class PasswordChangeRefused(DomainError):
    code = "password_change_refused"
    default_message = _("The password was not changed: check the fields.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("That email and password don't match an account. Check both and try again.")


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Confirm your email address first: we sent you a link when you signed up.")


class LoginLocked(DomainError):
    code = "login_locked"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _(
        "Too many failed sign-in attempts. For your safety, try again in 15 minutes "
        "or reset your password."
    )


class LoginCodeRequired(DomainError):
    code = "code_required"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _(
        "Someone has been trying to guess this account's password, so signing in needs a code "
        "as well. We emailed it to you: enter it to finish signing in."
    )


class SecondFactorRequired(DomainError):
    code = "second_factor_required"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("Enter the 6-digit code from your authenticator app, or a backup code.")


class InvalidSecondFactor(DomainError):
    code = "invalid_second_factor"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("That code is not right, or it was already used. Try the next one.")


class SecondFactorThrottled(DomainError):
    code = "second_factor_throttled"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _("Wait a few seconds before trying another code.")


class PhoneNotRegistered(DomainError):
    code = "phone_not_registered"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _(
        "No account uses this phone number. Sign in with your email and add the phone "
        "on your profile."
    )


class PhoneTaken(DomainError):
    code = "phone_taken"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Another account already uses this phone number.")


class CodeSendLimited(DomainError):
    code = "code_send_limited"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _("We have sent too many codes. Wait before asking for another one.")

    def __init__(self, message=None, *, retry_after: int, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class InvalidCode(DomainError):
    code = "invalid_code"
    default_message = _("That code is not right.")


class CodeExpired(DomainError):
    code = "code_expired"
    default_message = _("This code has expired or was already used. Ask for a new one.")


class TokenInvalid(DomainError):
    code = "token_invalid"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("This sign-in has expired. Sign in again.")


class TokenReused(DomainError):
    code = "token_reused"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _(
        "This refresh token was already used. For your safety we signed this login out "
        "everywhere; sign in again."
    )
