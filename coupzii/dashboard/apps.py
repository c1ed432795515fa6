"""The operators' dashboard as an installed app, so worker processes (where beat's rolls run)
register its after-roll warming too, not only the web processes that import its views."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "coupzii.dashboard"
    label = "dashboard"
    verbose_name = _("Operators' dashboard")

    def ready(self) -> None:
        from . import warm

        warm.register()
