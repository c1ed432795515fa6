"""Forms for creating and changing users in the admin."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User
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


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # Django's text says both fields may be case-sensitive; our emails are not.
        "invalid_login": _(
            "That email and password don't match an account. Check both and try again."
        ),
    }
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
