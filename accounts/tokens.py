"""API tokens: short-lived JWT access tokens and rotating refresh tokens, one family per login.

Every refresh token carries its login's family id (`fam`). The family row remembers the one
refresh token that may be used next (`current_jti`); using it rotates to a new one. Presenting
any other token of the family means an old token leaked or was replayed: the family is
revoked, and with it every access and refresh token of that login.
"""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from . import errors
from .models import LoginFamily, User


def _revoked_key(family: str) -> str:
    return f"jwt-revoked:{family}"


def _issue(family: LoginFamily) -> dict[str, str]:
    refresh = RefreshToken.for_user(family.user)
    refresh["fam"] = str(family.family)
    family.current_jti = refresh[api_settings.JTI_CLAIM]
    family.save(update_fields=["current_jti", "updated_at"])
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def tokens_issue(*, user: User, user_agent: str = "") -> dict[str, str]:
    """Start an API login for a user who has passed every factor; returns access + refresh."""
    family = LoginFamily.objects.create(user=user, current_jti="", user_agent=user_agent[:255])
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return _issue(family)


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Rotate: the presented refresh token stops working and a new pair is returned.

    Raises TokenInvalid (expired, malformed, revoked login) or TokenReused (an already
    rotated token: the whole login is revoked).
    """
    token = _decode_refresh(refresh)
    with transaction.atomic():
        family = (
            LoginFamily.objects.select_for_update()
            .select_related("user")
            .filter(family=token.get("fam"))
            .first()
        )
        if family is None or family.revoked_at or not family.user.is_active:
            outcome = "invalid"
        elif family.current_jti != token[api_settings.JTI_CLAIM]:
            _revoke(family, reason="reuse")
            outcome = "reused"
        else:
            return _issue(family)
    if outcome == "reused":
        raise errors.TokenReused()
    raise errors.TokenInvalid()


@transaction.atomic
def tokens_revoke(*, refresh: str, user: User | None = None) -> None:
    """Log out: the login's refresh token and its access tokens stop working."""
    token = _decode_refresh(refresh)
    family = LoginFamily.objects.select_for_update().filter(family=token.get("fam")).first()
    if family is None or (user is not None and family.user_id != user.pk):
        raise errors.TokenInvalid()
    if not family.revoked_at:
        _revoke(family, reason="logout")


@transaction.atomic
def tokens_revoke_all(*, user: User, reason: str) -> int:
    """End every API login of the user (after a password change or reset)."""
    families = list(LoginFamily.objects.select_for_update().filter(user=user, revoked_at=None))
    for family in families:
        _revoke(family, reason=reason)
    return len(families)


def _revoke(family: LoginFamily, *, reason: str) -> None:
    family.revoked_at = timezone.now()
    family.revoked_reason = reason
    family.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    lifetime = int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds())
    # Access tokens are checked against Redis, not the database, on every API request; they
    # live at most `lifetime`, so the mark only needs to outlive them.
    transaction.on_commit(lambda: cache.set(_revoked_key(str(family.family)), 1, timeout=lifetime))


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise errors.TokenInvalid() from exc


class LoginFamilyJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access>`; refuses access tokens of a revoked login."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if not isinstance(token, AccessToken):
            raise AuthenticationFailed(
                "Only access tokens are accepted here.", code="token_not_valid"
            )
        family = token.get("fam")
        if family and cache.get(_revoked_key(family)):
            raise AuthenticationFailed("This login was signed out.", code="token_revoked")
        return token
