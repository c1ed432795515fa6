from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coupzii.core.money import (
    MAX_AMOUNT,
    InvalidAmount,
    column_amount,
    format_inr,
    from_paise,
    parse_inr,
    quantize,
    to_paise,
)

# Every amount an amount column holds (12 digits, 2 of them paise).
paise_amounts = st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1).map(lambda p: D(p) / 100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.005"), D("1.01")),  # half up, not banker's rounding
        (D("1.015"), D("1.02")),
        (D("2.675"), D("2.68")),  # the classic float trap
        (D("-1.005"), D("-1.01")),
        (D("0.004"), D("0.00")),
        ("10", D("10.00")),
        (7, D("7.00")),
    ],
)
def test_quantize_rounds_half_up_to_paise(value, expected):
    assert quantize(value) == expected


def test_quantize_refuses_floats():
    with pytest.raises(InvalidAmount):
        quantize(0.1)  # 0.1 is not a paise amount in binary floating point


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0"), "₹0.00"),
        (D("999"), "₹999.00"),
        (D("1000"), "₹1,000.00"),
        (D("123456.78"), "₹1,23,456.78"),
        (D("10000000"), "₹1,00,00,000.00"),  # one crore
        (D("-1500.5"), "-₹1,500.50"),
    ],
)
def test_format_inr_uses_lakh_and_crore_grouping(amount, expected):
    assert format_inr(amount) == expected


def test_format_inr_has_one_rule_always_with_paise():
    # ₹96.00 and ₹250.00 side by side, never ₹96.00 next to ₹250
    assert [format_inr(amount) for amount in (D("96"), 250, "150.5")] == [
        "₹96.00",
        "₹250.00",
        "₹150.50",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("₹1,23,456.78", D("123456.78")),
        ("Rs. 500", D("500.00")),
        ("rs 500", D("500.00")),
        ("INR 99.5", D("99.50")),
        ("1,234,567", D("1234567.00")),
        ("  42 ", D("42.00")),
        ("-₹10", D("-10.00")),
        ("₹ -10", D("-10.00")),
    ],
)
def test_parse_inr_reads_what_people_type(text, expected):
    assert parse_inr(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "₹",
        "1.234",
        "12.3.4",
        "1e5",
        "NaN",
        "₹--5",
        "-₹-5",
        "- -5",
        "0,5",
        "1,,,,2",
        "9" * 40,
    ],
)
def test_parse_inr_refuses_what_is_not_an_amount(text):
    with pytest.raises(InvalidAmount):
        parse_inr(text)


@given(paise_amounts)
def test_format_then_parse_gives_the_same_amount(amount):
    assert parse_inr(format_inr(amount)) == amount


@given(paise_amounts)
def test_paise_round_trip_is_exact(amount):
    assert from_paise(to_paise(amount)) == amount


def test_inr_filter_renders_nothing_for_an_impossible_amount():
    from coupzii.core.templatetags.money import inr

    assert inr(D("1e30")) == ""


def test_to_paise_refuses_fractions_of_a_paisa():
    with pytest.raises(InvalidAmount):
        to_paise(D("1.005"))


def test_to_paise_gives_integers_for_gateways():
    assert to_paise(D("499.99")) == 49999
    assert isinstance(to_paise("1.10"), int)


@pytest.mark.parametrize("value", ["1e20", "99999999999.99", "10000000000", "-10000000000"])
def test_column_amount_refuses_what_an_amount_column_cannot_hold(value):
    with pytest.raises(InvalidAmount):
        column_amount(value)


@pytest.mark.parametrize("value", ["9999999999.99", "-9999999999.99", "0", "12.345"])
def test_column_amount_takes_everything_a_column_holds(value):
    assert abs(column_amount(value)) <= MAX_AMOUNT


def test_column_amount_refuses_what_rounds_past_the_column():
    with pytest.raises(InvalidAmount):
        column_amount("9999999999.995")


@pytest.mark.parametrize("text", ["₹99,99,99,99,999.99", "1,00,00,00,00,000"])
def test_parse_inr_refuses_amounts_too_large_for_a_column(text):
    with pytest.raises(InvalidAmount):
        parse_inr(text)
