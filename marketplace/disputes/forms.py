"""The dispute pages' forms: the buyer's report and the seller's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

from .services import SCREENSHOT_MAX_BYTES, TEXT_MAX_LENGTH


class DisputeForm(DomainErrorFormMixin, forms.Form):
    field_for_code = {"dispute_not_allowed": None, "purchase_not_found": None}

    note = forms.CharField(
        label=_("What happened?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: the store said the code is invalid or already used, or it gave less "
            "than promised."
        ),
    )
    screenshot = forms.ImageField(
        label=_("Screenshot (optional)"),
        required=False,
        help_text=_(
            "The store's error message, up to 5 MB. Only you, the seller and Coupzii staff see it."
        ),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )

    def clean_screenshot(self):
        screenshot = self.cleaned_data.get("screenshot")
        if screenshot and screenshot.size > SCREENSHOT_MAX_BYTES:
            raise forms.ValidationError(_("The screenshot must be under 5 MB."))
        return screenshot


class AnswerForm(DomainErrorFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Say what you know about the code: when you got it, whether you used it, any "
            "terms the buyer may have missed. An operator reads both sides."
        ),
    )
