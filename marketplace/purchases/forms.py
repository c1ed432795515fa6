"""The buy form (the listing page renders it; its POST goes to `marketplace:buy`)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import PaymentMethod


class BuyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Pay with"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.RAZORPAY,
        widget=forms.RadioSelect,
    )
    # A fresh key per page view: a double-click or a refresh finds the first purchase.
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
