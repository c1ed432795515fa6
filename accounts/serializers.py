"""API shapes for sign-up, sign-in, tokens and the profile: input serializers only parse,
output serializers only present; the rules live in accounts.services and accounts.tokens."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import services
from .models import PublicName, User

# Generous bounds: the services do the real checks; these only keep junk out of them.
PHONE_MAX_LENGTH = 32
CODE_MAX_LENGTH = 32


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        # Spaces are part of a password: never strip them.
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("style", {"input_type": "password"})
        kwargs.setdefault("max_length", 128)
        super().__init__(**kwargs)


# --- Profile ----------------------------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user's own profile."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    email_verified = serializers.SerializerMethodField()
    two_factor_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "phone",
            "full_name",
            "language",
            "public_name",
            "marketing_consent",
            "notify_by_email",
            "notify_by_sms",
            "referral_code",
            "email_verified",
            "two_factor_enabled",
        ]
        read_only_fields = fields

    def get_email_verified(self, user: User) -> bool:
        return services.email_is_verified(user)

    def get_two_factor_enabled(self, user: User) -> bool:
        return services.two_factor_enabled(user)


# Fields of the profile that have their own flow, with the message that says where it is.
PROFILE_READ_ONLY_MESSAGES = {
    "email": _(
        "Your email address can't be changed here. Change it in your account's email "
        "settings, where we confirm the new address with a link."
    ),
    "phone": _(
        "Your phone number can't be changed here. Change it on your profile, where we text "
        "a code to the new number to confirm it."
    ),
}


class ProfileUpdateSerializer(serializers.Serializer):
    """PATCH me/: only the fields a user may change themselves, all optional."""

    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    public_name = serializers.ChoiceField(
        choices=PublicName.choices,
        required=False,
        help_text=_(
            'How my name shows on the referral leaderboard: "first_initial" ("Asha V.", the '
            'default), "full", or "hidden" ("A Coupzii shopper").'
        ),
    )
    marketing_consent = serializers.BooleanField(required=False)
    notify_by_email = serializers.BooleanField(required=False)
    notify_by_sms = serializers.BooleanField(required=False)

    def validate(self, attrs):
        # DRF drops unknown keys silently; a client that tries to set its email, phone or
        # referral code must hear that it did not happen.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [PROFILE_READ_ONLY_MESSAGES.get(name, _("This field can't be changed."))]
                    for name in unknown
                }
            )
        return attrs


# --- Registration -----------------------------------------------------------------------------


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordField()
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False, default="")
    phone = serializers.CharField(
        max_length=PHONE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Optional; in international format or an Indian number (98765 43210)."),
    )
    referral_code = serializers.CharField(
        max_length=32, allow_blank=True, required=False, default=""
    )


class RegisterOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    email = serializers.EmailField()
    email_verified = serializers.BooleanField()
    detail = serializers.CharField()


# --- Sign-in and tokens -----------------------------------------------------------------------


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordField()
    code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text=_(
            "The authenticator app's 6-digit code or a backup code, for accounts with "
            "two-factor on (the answer second_factor_required asks for it)."
        ),
    )


class LoginCodeInputSerializer(serializers.Serializer):
    ticket = serializers.CharField(
        max_length=1000,
        help_text=_("The `ticket` from the code_required answer (valid 10 minutes)."),
    )
    code = serializers.CharField(
        max_length=CODE_MAX_LENGTH, help_text=_("The 6-digit code we emailed.")
    )
    second_factor_code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("The authenticator or backup code, for accounts with two-factor on."),
    )


class PhoneCodeRequestInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=PHONE_MAX_LENGTH)


class PhoneCodeRequestOutputSerializer(serializers.Serializer):
    challenge = serializers.CharField(
        help_text=_("Send this back with the code: the code works only with this challenge.")
    )
    expires_in = serializers.IntegerField(help_text=_("Seconds until the code expires."))


class PhoneCodeVerifyInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=PHONE_MAX_LENGTH)
    challenge = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=CODE_MAX_LENGTH)
    second_factor_code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("The authenticator or backup code, for accounts with two-factor on."),
    )


class SecondFactorInputSerializer(serializers.Serializer):
    ticket = serializers.CharField(
        max_length=1000,
        help_text=_("The `ticket` from the second_factor_required answer (valid 5 minutes)."),
    )
    code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        help_text=_("The authenticator app's 6-digit code or a backup code."),
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(
        help_text=_("JWT for `Authorization: Bearer`; lives 15 minutes.")
    )
    refresh = serializers.CharField(
        help_text=_("Use once with refresh/ for a new pair; using it twice signs the login out.")
    )


class LoginOutputSerializer(TokenPairSerializer):
    user = MeSerializer()


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordChangeInputSerializer(serializers.Serializer):
    current_password = PasswordField()
    new_password = PasswordField()


# --- Errors (documentation only: coupzii.core.errors.api_exception_handler writes them) -------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable: clients switch on it."))
    message = serializers.CharField(help_text=_("For people, in their language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages to show next to each input."),
    )
    ticket = serializers.CharField(
        required=False,
        help_text=_(
            "Only with second_factor_required (send it to 2fa/ with the code) and "
            "code_required (send it to login/code/ with the emailed code)."
        ),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
