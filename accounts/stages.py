"""The two-factor login stage: users with an authenticator must give a code before allauth
issues the session, whichever way they proved who they are."""

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from . import services


class TwoFactorStage(LoginStage):
    key = "coupzii_two_factor"
    urlname = "two_factor_authenticate"

    def handle(self):
        user = self.login.user
        if user is not None and services.two_factor_enabled(user):
            return headed_redirect_response(self.urlname), True
        return None, True
