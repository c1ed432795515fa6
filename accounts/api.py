"""The sign-up, sign-in, token and profile API under /api/v1/auth/: thin views that parse,
call accounts.services or accounts.tokens, and present the result."""

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.errors import error_body
from coupzii.core.http import client_ip
from coupzii.core.throttling import AnonClientIpThrottle, SignedInUserThrottle

from . import errors, services, tokens
from .models import User
from .serializers import (
    ErrorSerializer,
    LoginCodeInputSerializer,
    LoginInputSerializer,
    LoginOutputSerializer,
    MeSerializer,
    PasswordChangeInputSerializer,
    PhoneCodeRequestInputSerializer,
    PhoneCodeRequestOutputSerializer,
    PhoneCodeVerifyInputSerializer,
    ProfileUpdateSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    SecondFactorInputSerializer,
    TokenPairSerializer,
)

TAGS = ["auth"]
# What every endpoint that ends in tokens can answer.
SIGN_IN_RESPONSES = {
    200: LoginOutputSerializer,
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    429: ErrorSerializer,
}


class AuthRateThrottle(AnonClientIpThrottle):
    """Endpoints that take credentials or send messages: 20 requests a minute per client IP,
    on top of the general anonymous budget, so guessing and SMS pumping stay slow."""

    scope = "auth"


class CredentialsView(APIView):
    """Base for endpoints used before there is a valid access token.

    No authentication: a stale or broken `Authorization` header left over from an earlier
    login must not turn a sign-in into a 401.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonClientIpThrottle, AuthRateThrottle]


def _parse(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _sign_in(
    request: Request,
    *,
    user: User,
    second_factor_code: str,
    code_field: str,
    by_password: bool = False,
) -> Response:
    """The checks every API sign-in passes after its first factor, then the tokens.

    `code_field` is the input that carries the second factor, named in the error's fields.
    `by_password`: the first factor was the password alone, which an account someone has been
    guessing at no longer accepts without the code we email (401 `code_required`).
    """
    if not services.email_is_verified(user):
        raise errors.EmailNotVerified()
    if by_password:
        services.password_guard_check(user=user)
    if services.two_factor_enabled(user):
        if not second_factor_code:
            # The ticket lets the app finish at 2fa/ without a new password or SMS.
            raise errors.SecondFactorRequired(
                fields={code_field: [str(errors.SecondFactorRequired.default_message)]},
                extra={"ticket": services.login_ticket_issue(user=user)},
            )
        services.two_factor_verify(user=user, code=second_factor_code)
    return _tokens_for(request, user)


def _tokens_for(request: Request, user: User) -> Response:
    pair = tokens.tokens_issue(user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    return Response(LoginOutputSerializer({**pair, "user": user}).data)


class SecondFactorView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Finish a sign-in with the second factor",
        description=(
            "After login/ or phone/verify/ answered 401 `second_factor_required` with a "
            "`ticket`: send the ticket and the authenticator or backup code. 401 "
            "`token_invalid` when the ticket expired (5 minutes), `invalid_second_factor` "
            "when the code is wrong or used; 429 `second_factor_throttled`."
        ),
        request=SecondFactorInputSerializer,
        responses={
            200: LoginOutputSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        attempt = _parse(SecondFactorInputSerializer, request)
        user = services.login_ticket_redeem(ticket=attempt["ticket"])
        services.two_factor_verify(user=user, code=attempt["code"])
        return _tokens_for(request, user)


class RegisterView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Sign up",
        description=(
            "Creates the account and emails a link to confirm the address. No tokens: sign in "
            "after confirming. 400 `registration_refused` names each bad field."
        ),
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        registration = _parse(RegisterInputSerializer, request)
        user = services.user_register(**registration)
        send_verification_email_to_address(
            request._request, EmailAddress.objects.get_primary(user), signup=True
        )
        # allauth also queues a "confirmation sent" flash message for the next page; an API
        # client has no next page, so read it here rather than answer with a messages cookie.
        list(messages.get_messages(request._request))
        body = {
            "public_id": user.public_id,
            "email": user.email,
            "email_verified": False,
            "detail": _("We sent a link to confirm your email."),
        }
        return Response(RegisterOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class LoginView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Sign in with email and password",
        description=(
            "401 `invalid_credentials`; 429 `login_locked` after five failures from one client "
            "IP; 403 `email_not_verified`; 401 `second_factor_required` when two-factor is on "
            "and `code` is missing, `invalid_second_factor` when it is wrong or already used. "
            "401 `code_required` with a `ticket` when the account had about 20 wrong "
            "passwords in 15 minutes from any addresses: the password was right, and a 6-digit "
            "code was emailed to the account; send both to login/code/. Posting the password "
            "again emails a new code (at most one a minute)."
        ),
        request=LoginInputSerializer,
        responses=SIGN_IN_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        credentials = _parse(LoginInputSerializer, request)
        user = services.password_login(
            email=credentials["email"], password=credentials["password"], ip=client_ip(request)
        )
        return _sign_in(
            request,
            user=user,
            second_factor_code=credentials["code"],
            code_field="code",
            by_password=True,
        )


class LoginCodeView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Finish a password sign-in with the emailed code",
        description=(
            "After login/ answered 401 `code_required` with a `ticket`: send the ticket and "
            "the 6-digit code from the email. 400 `invalid_code` (wrong; tries left in the "
            "message) or `code_expired` (expired or five wrong tries: post the password to "
            "login/ again for a new code); 401 `token_invalid` when the ticket expired (10 "
            "minutes). Then the same two-factor check as login/, with the second factor in "
            "`second_factor_code`."
        ),
        request=LoginCodeInputSerializer,
        responses=SIGN_IN_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        attempt = _parse(LoginCodeInputSerializer, request)
        user = services.password_guard_ticket_redeem(ticket=attempt["ticket"])
        services.password_guard_code_verify(user=user, code=attempt["code"])
        return _sign_in(
            request,
            user=user,
            second_factor_code=attempt["second_factor_code"],
            code_field="second_factor_code",
        )


class PhoneCodeRequestView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Text a sign-in code to a phone",
        description=(
            "Send the returned `challenge` back with the code to phone/verify/. 404 "
            "`phone_not_registered`; 429 `code_send_limited` with Retry-After (one code a "
            "minute and five an hour per phone, twenty an hour per client IP)."
        ),
        request=PhoneCodeRequestInputSerializer,
        responses={
            200: PhoneCodeRequestOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        phone = _parse(PhoneCodeRequestInputSerializer, request)["phone"]
        try:
            challenge = services.phone_code_request(phone=phone, ip=client_ip(request))
        except errors.CodeSendLimited as exc:
            # The shared handler knows no headers; the app needs Retry-After to show a timer.
            return Response(
                error_body(code=exc.code, message=exc.message, fields=exc.fields),
                status=exc.status_code,
                headers={"Retry-After": str(exc.retry_after)},
            )
        body = {"challenge": challenge, "expires_in": settings.PHONE_CODE_TTL_SECONDS}
        return Response(PhoneCodeRequestOutputSerializer(body).data)


class PhoneCodeVerifyView(CredentialsView):
    @extend_schema(
        tags=TAGS,
        summary="Sign in with a texted code",
        description=(
            "400 `invalid_code` (wrong; tries left in the message) or `code_expired` (expired, "
            "used, another challenge, or five wrong tries); then the same email and two-factor "
            "checks as login/, with the second factor in `second_factor_code`."
        ),
        request=PhoneCodeVerifyInputSerializer,
        responses=SIGN_IN_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        attempt = _parse(PhoneCodeVerifyInputSerializer, request)
        user = services.phone_login(
            phone=attempt["phone"], challenge=attempt["challenge"], code=attempt["code"]
        )
        return _sign_in(
            request,
            user=user,
            second_factor_code=attempt["second_factor_code"],
            code_field="second_factor_code",
        )


class RefreshView(APIView):
    # Called exactly when the access token has expired: a Bearer header must not be checked.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Rotate the refresh token",
        description=(
            "Returns a new pair; the refresh token sent stops working. Sending an already used "
            "refresh token answers 401 `token_reused` and signs that login out everywhere."
        ),
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        refresh = _parse(RefreshInputSerializer, request)["refresh"]
        return Response(TokenPairSerializer(tokens.tokens_refresh(refresh=refresh)).data)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Sign out",
        description="The login's refresh token and its access tokens stop working.",
        request=RefreshInputSerializer,
        responses={204: None, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        refresh = _parse(RefreshInputSerializer, request)["refresh"]
        tokens.tokens_revoke(refresh=refresh, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeThrottle(SignedInUserThrottle):
    """20 tries a minute per account: the current password must not be guessable here."""

    scope = "auth"


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [PasswordChangeThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Change my password",
        description=(
            "Needs the current password. A new password ends every login of the account, in "
            "every app and this one too; the answer carries a fresh token pair for this app. "
            "400 `password_change_refused` names the field: a wrong current password or a "
            "new one too weak."
        ),
        request=PasswordChangeInputSerializer,
        responses={200: LoginOutputSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        change = _parse(PasswordChangeInputSerializer, request)
        services.password_change(user=request.user, **change)
        return _tokens_for(request, request.user)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="My profile",
        responses={200: MeSerializer, 401: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        tags=TAGS,
        summary="Change my profile",
        description=(
            "Only full_name, language, public_name, marketing_consent, notify_by_email and "
            "notify_by_sms. "
            "Email and phone have their own confirmed flows; sending them answers 400."
        ),
        request=ProfileUpdateSerializer,
        responses={200: MeSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def patch(self, request: Request) -> Response:
        changes = _parse(ProfileUpdateSerializer, request)
        user = services.profile_update(user=request.user, **changes)
        return Response(MeSerializer(user).data)
