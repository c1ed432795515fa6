"""The operators' admin: staff must have passed a second factor in this session."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.admin import OTPAdminSite

from . import services


class CoupziiAdminSite(OTPAdminSite):
    site_header = _lazy("Coupzii operations")
    site_title = _lazy("Coupzii admin")

    def login(self, request, extra_context=None):
        """Send people to the site's own sign-in, which runs the two-factor stage; staff who
        are signed in without a verified factor enrol or confirm a code first."""
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated and user.is_staff:
            if not services.two_factor_enabled(user):
                messages.info(request, _("Operators must set up two-factor sign-in first."))
                return redirect(f"{reverse('two_factor_setup')}?next={next_url}")
            return redirect(f"{reverse('two_factor_verify')}?next={next_url}")
        return redirect_to_login(next_url, login_url=reverse("account_login"))
