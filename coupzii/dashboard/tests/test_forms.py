"""The dashboard's range picker (coupzii.dashboard.forms): an end after today stops at today,
and both date inputs say so with `max`; refused dates are kept as typed; a bad preset gets a
plain message."""

from datetime import date

from django.template.loader import render_to_string
from django.test import RequestFactory

from coupzii.dashboard.forms import RangeForm

TODAY = date(2026, 12, 7)


def test_an_end_date_in_the_future_stops_at_today():
    form = RangeForm({"start": "2026-11-01", "end": "2027-01-31"}, today=TODAY)

    assert form.is_valid(), form.errors
    assert form.chosen_range() == (date(2026, 11, 1), TODAY)


def test_a_range_that_fits_once_it_stops_at_today_is_accepted():
    # 2025-12-07 .. 2026-12-31 is 390 days; up to today it is 366
    form = RangeForm({"start": "2025-12-07", "end": "2026-12-31"}, today=TODAY)

    assert form.is_valid(), form.errors
    assert form.chosen_range() == (date(2025, 12, 7), TODAY)


def test_dates_all_in_the_future_are_still_refused():
    form = RangeForm({"start": "2026-12-08", "end": "2026-12-09"}, today=TODAY)

    assert not form.is_valid()
    assert form.errors["start"] == ["The dates must not all be in the future."]


def test_both_date_inputs_stop_at_today():
    form = RangeForm(None, today=TODAY)

    assert 'max="2026-12-07"' in str(form["start"])
    assert 'max="2026-12-07"' in str(form["end"])


def test_the_pages_end_input_stops_at_today_too():
    form = RangeForm(None, today=TODAY)
    html = render_to_string(
        "admin/dashboard/_range.html",
        {
            "form": form,
            "presets": (7,),
            "start_value": "2026-12-07",
            "end_value": "2026-12-07",
            "today": TODAY,
        },
        request=RequestFactory().get("/admin/"),
    )

    assert 'name="end" id="id_end" value="2026-12-07" max="2026-12-07"' in html


def test_refused_dates_are_kept_as_typed_and_the_range_falls_back_to_30_days():
    form = RangeForm({"start": "2026-11-30", "end": "2026-10-01"}, today=TODAY)

    assert form.typed_dates() == ("2026-11-30", "2026-10-01")
    assert form.chosen_range() == (date(2026, 11, 8), TODAY)


def test_dates_that_were_shown_or_never_given_are_not_typed_dates():
    shown = RangeForm({"start": "2026-10-01", "end": "2026-11-30"}, today=TODAY)
    assert shown.typed_dates() is None
    assert RangeForm({"days": "abc"}, today=TODAY).typed_dates() is None
    assert RangeForm(None, today=TODAY).typed_dates() is None


def test_a_bad_preset_says_so_plainly_without_echoing_it():
    form = RangeForm({"days": "abc"}, today=TODAY)

    assert form.errors["days"] == ["Pick one of the ranges offered."]
    assert form.chosen_range() == (date(2026, 11, 8), TODAY)
