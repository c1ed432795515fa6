"""Dates and numbers as written in India, in English and Hindi, on pages and in the admin."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format

MOMENT = timezone.make_aware(datetime(2027, 1, 26, 15, 5))


@pytest.mark.parametrize(
    ("language", "date_text", "datetime_text"),
    [
        ("en", "26 Jan 2027", "26 Jan 2027, 15:05"),
        ("hi", "26 जनवरी 2027", "26 जनवरी 2027, 15:05"),
    ],
)
def test_dates_put_the_day_first_in_english_and_hindi(language, date_text, datetime_text):
    with translation.override(language):
        assert date_format(MOMENT.date()) == date_text
        assert date_format(timezone.localtime(MOMENT), "DATETIME_FORMAT") == datetime_text
        assert date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == "26/01/2027"
        # what a template's plain {{ date }} shows, as the admin's lists do
        assert Template("{{ day }}").render(Context({"day": MOMENT.date()})) == date_text


@pytest.mark.parametrize("language", ["en", "hi"])
def test_big_numbers_group_in_lakhs_and_crores(language):
    with translation.override(language):
        assert number_format(Decimal("12345678.5"), 2, force_grouping=True) == "1,23,45,678.50"


class DayForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("typed", ["26/01/2027", "26-01-2027", "2027-01-26", "26 Jan 2027"])
def test_a_typed_date_is_read_day_first(typed):
    with translation.override("en"):
        form = DayForm({"day": typed})

        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2027, 1, 26)


def test_an_american_month_first_date_is_not_read_as_one():
    with translation.override("en"):
        # 01/02/2027 is the 1st of February here, never January the 2nd
        form = DayForm({"day": "01/02/2027"})

        assert form.is_valid()
        assert form.cleaned_data["day"] == date(2027, 2, 1)


# --- rupees: one rule (coupzii.core.money.format_inr) wherever an amount is written ---------


@pytest.mark.django_db
def test_gift_card_names_in_the_admin_write_rupees_by_the_one_rule():
    from catalog.tests.factories import VariantFactory

    variant = VariantFactory(product__name="Tanishq Card", face_value=Decimal("100000"))

    assert str(variant) == "Tanishq Card ₹1,00,000.00"  # not "₹100,000"


@pytest.mark.parametrize("template", ["commerce/email/codes.txt", "commerce/email/codes.html"])
def test_the_codes_email_writes_rupees_by_the_one_rule(template):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    line = SimpleNamespace(product_name="Tanishq Card", face_value=Decimal("100000.00"))
    code = SimpleNamespace(code="TNQ-1", pin="", expires_on=None)

    email = render_to_string(
        template, {"order": SimpleNamespace(number="CZ1"), "lines": [(line, [code])]}
    )

    assert "Tanishq Card — ₹1,00,000.00" in email
