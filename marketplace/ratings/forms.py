"""The rating form: 1 to 5 stars and an optional comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

STARS = [(n, _("%(n)s of 5") % {"n": n}) for n in range(5, 0, -1)]


class RatingForm(DomainErrorFormMixin, forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
