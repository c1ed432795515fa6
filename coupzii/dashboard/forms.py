"""The dashboard's range picker: the last 7, 30, 90 or 365 days, or chosen dates (at most 366
days, ending today at the latest), read from the page's GET form and the exports' query string
alike."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .figures import MAX_RANGE_DAYS

PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


def last_days(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


class RangeForm(forms.Form):
    """`days` picks a preset; `start` and `end` (both) pick dates and win over it."""

    days = forms.TypedChoiceField(
        label=_("Show"),
        choices=[(days, _("Last %(days)s days") % {"days": days}) for days in PRESETS],
        coerce=int,
        required=False,
        # Only a hand-edited link gets here: Django's own message would echo the bad value back.
        error_messages={"invalid_choice": _("Pick one of the ranges offered.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data, *, today: date, **kwargs):
        self.today = today
        super().__init__(data, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["max"] = today.isoformat()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if start or end:
            if not (start and end):
                missing = "end" if start else "start"
                self.add_error(missing, _("Give both dates, or pick a preset."))
            elif start > end:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif start > self.today:
                self.add_error("start", _("The dates must not all be in the future."))
            else:
                # Days after today have no figures yet: the range stops at today rather than
                # drawing a tail of zeros (an end typed a month ahead, a bookmarked link).
                end = cleaned["end"] = min(end, self.today)
                if (end - start).days + 1 > MAX_RANGE_DAYS:
                    self.add_error(
                        "end", _("Choose at most %(days)s days.") % {"days": MAX_RANGE_DAYS}
                    )
        return cleaned

    def chosen_range(self) -> tuple[date, date]:
        """The range asked for; the default (30 days) when the form is not valid."""
        if not self.is_valid():
            return last_days(DEFAULT_DAYS, self.today)
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end:
            return start, end
        return last_days(self.cleaned_data.get("days") or DEFAULT_DAYS, self.today)

    def typed_dates(self) -> tuple[str, str] | None:
        """The dates as the user typed them, when they can't be shown: the inputs keep them, so
        the user sees what to correct (the figures fall back to the default range). None when
        the dates were fine or none were given."""
        if not self.is_bound or self.is_valid():
            return None
        start, end = self.data.get("start", ""), self.data.get("end", "")
        return (start, end) if start or end else None

    def preset(self) -> int | None:
        """The preset shown as chosen (none when dates were given)."""
        if self.is_valid() and not self.cleaned_data.get("start"):
            return self.cleaned_data.get("days") or DEFAULT_DAYS
        return None
