"""The Webhooks page's forms: an endpoint's address and events, and the log's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import DeliveryStatus

from .events import EVENT_CHOICES


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where we POST events, e.g. https://api.yourbrand.example/coupzii."),
        widget=forms.URLInput(attrs={"class": "form-control", "placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        required=False,
        help_text=_("Tick none to receive every event, including ones we add later."),
        widget=forms.CheckboxSelectMultiple,
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *DeliveryStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )
