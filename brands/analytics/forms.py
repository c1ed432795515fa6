"""The analytics page's date range (the export and the API check ranges the same way)."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import MAX_RANGE_DAYS

DEFAULT_DAYS = 30


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def range_errors(start: date, end: date) -> dict[str, str]:
    """Field messages for a range the pages and the API refuse (empty when it is fine)."""
    if start > end:
        return {"end_date": _("The end date must be on or after the start date.")}
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return {
            "end_date": _("Choose at most %(days)s days.") % {"days": MAX_RANGE_DAYS},
        }
    return {}


class DateRangeForm(forms.Form):
    start_date = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, data=None, **kwargs):
        # No dates in the address: the last thirty days, shown filled in.
        if not data or not (data.get("start_date") or data.get("end_date")):
            start, end = default_range()
            data = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            for field, message in range_errors(start, end).items():
                self.add_error(field, message)
        return cleaned
