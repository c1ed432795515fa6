"""The rating form: 1 to 5 stars and an optional comment."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

# Lazy labels: `%` on a lazy string at import would fix them in the language of the import.
STARS = [(n, format_lazy("{n} {of_5}", n=n, of_5=_("of 5"))) for n in range(5, 0, -1)]


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
