from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


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
