"""Forms: sign-up (allauth), phone codes, two-factor, profile, and the admin's user forms."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import errors, services
from .models import PublicName, User
from .phone import normalize_phone


class PhoneFieldMixin:
    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        if not phone:
            return None
        return normalize_phone(phone)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class UserCreationForm(PhoneFieldMixin, auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "phone")


class UserChangeForm(PhoneFieldMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with our fields; the rules and the saving are accounts.services'."""

    field_order = ["email", "password1", "full_name", "phone", "referral_code"]

    full_name = forms.CharField(
        label=_("Full name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "98765 43210"}
        ),
        help_text=_("Lets you sign in with a code by SMS."),
    )
    referral_code = forms.CharField(
        label=_("Referral code (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request
        if request is not None and not self.is_bound:
            self.initial.setdefault("referral_code", request.GET.get("ref", "")[:20])

    def clean(self):
        cleaned = super().clean()
        try:
            services.registration_validate(
                email=cleaned.get("email") or "",
                password=cleaned.get("password1") or "",
                phone=cleaned.get("phone") or "",
                referral_code=cleaned.get("referral_code") or "",
                full_name=cleaned.get("full_name") or "",
            )
        except errors.RegistrationRefused as refused:
            for field, messages in refused.fields.items():
                name = "password1" if field == "password" else field
                if name in self.fields and not self.has_error(name):
                    for message in messages:
                        self.add_error(name, message)
        return cleaned

    def try_save(self, request):
        user = services.user_register(
            email=self.cleaned_data["email"],
            password=self.cleaned_data["password1"],
            full_name=self.cleaned_data.get("full_name", ""),
            phone=self.cleaned_data.get("phone", ""),
            referral_code=self.cleaned_data.get("referral_code", ""),
        )
        return user, None


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "98765 43210"}
        ),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "placeholder": "123456"}
        ),
    )


class SecondFactorForm(forms.Form):
    """An authenticator code or a backup code: letters and a dash allowed, so no number pad."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "placeholder": "123456",
            }
        ),
    )


class ProfileForm(forms.Form):
    """The fields accounts.services.profile_update accepts; a plain form, so an invalid post
    never changes the signed-in user object."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    public_name = forms.ChoiceField(
        label=_("Your name on the referral leaderboard"),
        choices=PublicName.choices,
        widget=forms.RadioSelect,
        help_text=_("The leaderboard is public: anyone can see the names on it."),
    )
    marketing_consent = forms.BooleanField(label=_("Send me offers and news"), required=False)
    notify_by_email = forms.BooleanField(label=_("Email me about my account"), required=False)
    notify_by_sms = forms.BooleanField(label=_("Text me about my account"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        example = _first_and_initial(self.initial.get("full_name", ""))
        if example:
            # Their own name as the board would show it, not someone else's.
            self.fields["public_name"].choices = [
                (value, _("First name and initial (%(example)s)") % {"example": example})
                if value == PublicName.FIRST_AND_INITIAL
                else (value, label)
                for value, label in PublicName.choices
            ]


def _first_and_initial(full_name: str) -> str:
    parts = full_name.split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else ""


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "change password" for a user: stored through accounts.services.password_set,
    so the user's app logins end as after any new password."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        services.password_set(
            user=self.user, password=self.cleaned_data["password1"] if usable else None
        )
        return self.user
