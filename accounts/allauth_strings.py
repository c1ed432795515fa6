"""allauth's own strings that shoppers see: allauth ships no Hindi translation.

The sign-in library's form errors (its adapter's error messages) and its flash messages
(templates/account/messages/*.txt) are listed here with their exact msgids, so `make messages`
copies them into our catalogue, where they are translated; our catalogue (LOCALE_PATHS) takes
precedence over allauth's. Nothing imports this module: it exists for the message extractor.
After an allauth upgrade, compare these with allauth/account/adapter.py's `error_messages` and
allauth/templates/account/messages/.
"""

from django.utils.translation import gettext_lazy

FORM_ERRORS = (
    gettext_lazy("This account is currently inactive."),
    gettext_lazy("You cannot remove your primary email address."),
    gettext_lazy("This email address is already associated with this account."),
    gettext_lazy("The email address and/or password you specified are not correct."),
    gettext_lazy("The phone number and/or password you specified are not correct."),
    gettext_lazy("A user is already registered with this email address."),
    gettext_lazy("Please type your current password."),
    gettext_lazy("Incorrect code."),
    gettext_lazy("Incorrect password."),
    gettext_lazy("Invalid or expired key."),
    gettext_lazy("Invalid login."),
    gettext_lazy("The password reset token was invalid."),
    gettext_lazy("A user is already registered with this phone number."),
    gettext_lazy("Too many failed login attempts. Try again later."),
    gettext_lazy("The email address is not assigned to any user account."),
    gettext_lazy("The phone number is not assigned to any user account."),
    gettext_lazy("Your primary email address must be verified."),
    gettext_lazy("Please select only one."),
    gettext_lazy("The new value must be different from the current one."),
    gettext_lazy("Be patient, you are sending too many requests."),
)

FLASH_MESSAGES = (
    gettext_lazy("You cannot remove your primary email address (%(email)s)."),
    gettext_lazy(
        "Unable to confirm %(email)s because it is already confirmed by a different account."
    ),
    gettext_lazy("Confirmation email sent to %(email)s."),
    gettext_lazy("You have confirmed %(email)s."),
    gettext_lazy("Removed email address %(email)s."),
    gettext_lazy("Successfully signed in as %(name)s."),
    gettext_lazy("You have signed out."),
    gettext_lazy("A sign-in code has been sent to %(recipient)s."),
    gettext_lazy("Password successfully changed."),
    gettext_lazy("Password successfully set."),
    gettext_lazy("A verification code has been sent to %(phone)s."),
    gettext_lazy("You have verified phone number %(phone)s."),
    gettext_lazy("Primary email address set."),
)
