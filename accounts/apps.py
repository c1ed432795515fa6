from allauth.account import apps as allauth_account_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class CoupziiAdminConfig(admin_apps.AdminConfig):
    """The admin app with our OTP-guarded site as `admin.site`."""

    default = False
    default_site = "accounts.admin_site.CoupziiAdminSite"


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
        from .notifications.kinds import register_accounts_kinds

        register_accounts_kinds()


# The admin groups models under their app's verbose name. allauth's email addresses would be a
# second "Accounts" section, and django-otp's apps have none (the admin printed "Otp_Static",
# "Otp_Totp"): these name them for operators. Labels stay the same, so no migration changes.


class SignInEmailsConfig(allauth_account_apps.AccountConfig):
    verbose_name = _("Sign-in email addresses")


class BackupCodesConfig(otp_static_apps.DefaultConfig):
    verbose_name = _("Two-factor backup codes")


class AuthenticatorAppsConfig(otp_totp_apps.DefaultConfig):
    verbose_name = _("Two-factor authenticator apps")
