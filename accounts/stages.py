"""Login stages of ours: the emailed code a guessed-at account needs after its password, and
the two-factor stage (users with an authenticator give a code before allauth issues the
session, whichever way they proved who they are)."""

import contextlib

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from . import errors, services


class PasswordGuardStage(LoginStage):
    """Past the account-wide ceiling on wrong passwords, a password sign-in also needs the
    code we email to the account (accounts.services, "password guard"). Other ways in (phone
    code, Google, email links) pass straight through."""

    key = "coupzii_password_guard"
    urlname = "password_guard_code"

    def handle(self):
        user = self.login.user
        if user is None or not self._by_password():
            return None, True
        if not services.password_guard_code_required(user):
            return None, True
        if not self.state.get("sent"):
            # Within a minute of the last code, that code is still good: no new one.
            with contextlib.suppress(errors.CodeSendLimited):
                services.password_guard_code_send(user=user)
            self.state["sent"] = True
        return headed_redirect_response(self.urlname), True

    def _by_password(self) -> bool:
        # allauth records each way the user proved themselves in this session; the latest one
        # is how this login started (phone-code sign-in records its own, see views).
        records = get_authentication_records(self.request, self.login.user)
        return bool(records) and records[-1]["method"] == "password"


class TwoFactorStage(LoginStage):
    key = "coupzii_two_factor"
    urlname = "two_factor_authenticate"

    def handle(self):
        user = self.login.user
        if user is not None and services.two_factor_enabled(user):
            return headed_redirect_response(self.urlname), True
        return None, True
