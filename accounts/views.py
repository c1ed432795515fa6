"""Account pages beyond allauth's own: phone-code sign-in, two-factor, the profile."""

import segno
from allauth.account.internal.decorators import login_stage_required
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import get_next_redirect_url, perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from coupzii.core.errors import DomainError
from coupzii.core.http import client_ip

from . import errors, services
from .forms import CodeForm, PhoneForm, ProfileForm, SecondFactorForm
from .stages import PasswordGuardStage, TwoFactorStage

PHONE_LOGIN_SESSION_KEY = "accounts:phone_login"
PHONE_CHANGE_SESSION_KEY = "accounts:phone_change"
BACKUP_CODES_SESSION_KEY = "accounts:backup_codes"


def _next_url(request, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    return get_next_redirect_url(request) or reverse(default)


def _with_query(url_name: str, request) -> str:
    """The named URL carrying this request's query string (the `next` it came with), if any."""
    query = request.GET.urlencode()
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)


def _show_backup_codes(request, codes: list[str], *, next_url: str):
    # Redirect, then show them once from the session: refreshing the page must not post again.
    request.session[BACKUP_CODES_SESSION_KEY] = {"codes": codes, "next": next_url}
    return redirect("two_factor_backup_codes")


def masked_phone(phone: str) -> str:
    """+919876543210 -> +91 ••••• ••210: enough to recognise, not enough to harvest."""
    return f"{phone[:3]} ••••• ••{phone[-3:]}" if len(phone) > 6 else phone


def _send_code(request, form, *, session_key: str, user=None) -> bool:
    """Ask for a code; on success remember the challenge in this session (the code is bound
    to it) and tell the user where it went. Refusals become field errors."""
    phone = form.cleaned_data["phone"]
    try:
        challenge = services.phone_code_request(phone=phone, ip=client_ip(request), user=user)
    except DomainError as exc:
        form.add_error("phone", exc.message)
        return False
    request.session[session_key] = {"phone": phone, "challenge": challenge}
    messages.success(
        request, _("We sent a 6-digit code to %(phone)s.") % {"phone": masked_phone(phone)}
    )
    return True


# --- Phone-code sign-in ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def phone_login_request(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = PhoneForm(request.POST or None)
    sent = (
        request.method == "POST"
        and form.is_valid()
        and _send_code(request, form, session_key=PHONE_LOGIN_SESSION_KEY)
    )
    if sent:
        return redirect(_with_query("phone_login_verify", request))
    return render(request, "accounts/phone_login.html", {"form": form})


def _code_page(request, *, session_key: str, restart: str, template: str, use_code):
    """The "enter the code we texted" page: `use_code(code=..., **pending)` on a valid post.

    A dead code (expired, used, too many tries) sends the user back to ask for a new one; a
    wrong one is a form error. Returns use_code's response, or the page.
    """
    pending = request.session.get(session_key)
    if not pending:
        return redirect(restart)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = use_code(code=form.cleaned_data["code"], **pending)
        except errors.CodeExpired as exc:
            del request.session[session_key]
            messages.error(request, exc.message)
            return redirect(restart)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[session_key]
            return response
    context = {"form": form, "phone": masked_phone(pending["phone"])}
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def phone_login_verify(request):
    def sign_in(**attempt):
        user = services.phone_login(**attempt)
        # Recorded, so a password tried earlier in this session is not taken for how this
        # login started (the emailed-code stage holds up password sign-ins only).
        record_authentication(request, user, method="phone_code", phone=user.phone)
        # allauth's login flow, so email verification and two-factor apply here too.
        return perform_login(
            request,
            user,
            email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
            redirect_url=_next_url(request),
        )

    return _code_page(
        request,
        session_key=PHONE_LOGIN_SESSION_KEY,
        restart="phone_login",
        template="accounts/phone_login_verify.html",
        use_code=sign_in,
    )


# --- The emailed code after a guessed-at password --------------------------------------------


def masked_email(email: str) -> str:
    """asha.verma@example.in -> a•••@example.in: enough to recognise, not enough to harvest."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else email


@login_stage_required(stage=PasswordGuardStage.key, redirect_urlname="account_login")
@require_http_methods(["GET", "POST"])
def password_guard_code(request):
    """The code we emailed, asked for after the right password on an account someone has
    been guessing at; "send a new code" posts `resend`."""
    stage = request._login_stage
    user = stage.login.user
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.password_guard_code_send(user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("We sent a new code."))
        return redirect("password_guard_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_guard_code_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            return stage.exit()
    context = {"form": form, "email": masked_email(user.email)}
    return render(request, "accounts/password_guard_code.html", context)


# --- Two-factor ------------------------------------------------------------------------------


@login_stage_required(stage=TwoFactorStage.key, redirect_urlname="account_login")
@require_http_methods(["GET", "POST"])
def two_factor_authenticate(request):
    """The second step of any sign-in for users with an authenticator."""
    stage = request._login_stage
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(
                user=stage.login.user, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            response = stage.exit()
            otp_login(request, device)
            return response
    return render(request, "accounts/two_factor_authenticate.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify_session(request):
    """Confirm a code in a session that signed in before the authenticator was set up."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not services.two_factor_enabled(request.user):
        return redirect(_with_query("two_factor_setup", request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor_authenticate.html", {"form": form})


@login_required
def two_factor_overview(request):
    enabled = services.two_factor_enabled(request.user)
    backup_codes_left = StaticToken.objects.filter(device__user=request.user).count()
    context = {"enabled": enabled, "backup_codes_left": backup_codes_left}
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if services.two_factor_enabled(request.user) and request.method == "GET":
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect("two_factor")
    device = services.totp_enrol_start(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, services.confirmed_totp_device(user=request.user))
            messages.success(request, _("Two-factor sign-in is on."))
            return _show_backup_codes(
                request, codes, next_url=_next_url(request, default="two_factor")
            )
    context = {
        "form": form,
        "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": services.totp_secret_for_display(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """POST makes new backup codes; GET shows the ones just made, once."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor')}")
        codes = services.backup_codes_regenerate(user=request.user)
        messages.success(request, _("New backup codes made; the old ones no longer work."))
        return _show_backup_codes(request, codes, next_url=reverse("two_factor"))
    shown = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if shown is None:
        return redirect("two_factor")
    return render(request, "accounts/backup_codes.html", shown)


@login_required
@require_POST
def two_factor_disable(request):
    form = SecondFactorForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
    else:
        messages.error(request, _("Enter a code to turn two-factor sign-in off."))
    return redirect("two_factor")


# --- Profile --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    initial = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    share_link = request.build_absolute_uri(f"{reverse('account_signup')}?ref={user.referral_code}")
    context = {
        "form": form,
        "share_link": share_link,
        "two_factor_enabled": services.two_factor_enabled(user),
        "email_verified": services.email_is_verified(user),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def phone_change_request(request):
    form = PhoneForm(request.POST or None)
    sent = (
        request.method == "POST"
        and form.is_valid()
        and _send_code(request, form, session_key=PHONE_CHANGE_SESSION_KEY, user=request.user)
    )
    if sent:
        return redirect("phone_change_verify")
    return render(request, "accounts/phone_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def phone_change_verify(request):
    def change_phone(**attempt):
        user = services.phone_change_confirm(user=request.user, **attempt)
        messages.success(request, _("Your phone number is now %(phone)s.") % {"phone": user.phone})
        return redirect("profile")

    return _code_page(
        request,
        session_key=PHONE_CHANGE_SESSION_KEY,
        restart="phone_change",
        template="accounts/phone_change_verify.html",
        use_code=change_phone,
    )
