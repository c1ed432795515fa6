"""allauth hooks: our lockout around password checks, our sign-up rules, the emailed code a
guessed-at account needs after its password, and the two-factor stage on every browser login
(password, phone code, Google)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django import forms
from django.http import Http404

from coupzii.core.http import client_ip

from . import errors, services


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        # After email verification (the code goes to the verified address), before the
        # session is issued.
        return [
            *super().get_login_stages(),
            "accounts.stages.PasswordGuardStage",
            "accounts.stages.TwoFactorStage",
        ]

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        try:
            services.login_lockout_check(email=credentials.get("email", ""), ip=client_ip(request))
        except errors.LoginLocked as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        services.login_failure_record(email=credentials.get("email", ""), ip=client_ip(request))

    def set_password(self, user, password) -> None:
        # allauth's change, set and reset-from-key forms all store the new password here: the
        # service also ends the account's app logins.
        services.password_set(user=user, password=password)

    def login(self, request, user) -> None:
        super().login(request, user)
        services.login_failures_clear(email=user.email, ip=client_ip(request))
        # The profile's language wins over whatever the browser had before signing in.
        request.session["_language"] = user.language


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request, provider, client_id=None):
        # Without GOOGLE_CLIENT_ID the button is hidden, but /accounts/google/login/ is still
        # routed: a provider nobody configured is a page that does not exist, not a 500.
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("No such sign-in provider.") from None

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        name = sociallogin.account.extra_data.get("name", "")
        if name and not user.full_name:
            services.profile_update(user=user, full_name=name)
        return user
