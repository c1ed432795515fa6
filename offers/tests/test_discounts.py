"""offers.selectors.offer_discount: what an offer takes off an order, to the paisa."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coupzii.core.money import InvalidAmount
from offers import selectors
from offers.models import DiscountType, Offer


def offer(discount_type=DiscountType.PERCENTAGE, value="10", min_order=None, max_discount=None):
    """An unsaved offer: the discount reads nothing else."""
    return Offer(
        discount_type=discount_type,
        discount_value=None if value is None else D(value),
        min_order=None if min_order is None else D(min_order),
        max_discount=None if max_discount is None else D(max_discount),
    )


def quote(order, **fields):
    return selectors.offer_discount(offer=offer(**fields), order_amount=D(order))


def test_percentage_rounds_half_up_to_the_paisa():
    # 12.5% of 0.99 = 0.12375 -> 0.12; 12.5% of 1.00 = 0.125 -> 0.13 (half up, not to even)
    assert quote("0.99", value="12.5").discount == D("0.12")
    assert quote("1.00", value="12.5").discount == D("0.13")
    result = quote("1333.33", value="15")
    assert result.discount == D("200.00")
    assert result.payable == D("1133.33")
    assert result.applies and result.reason_code == "applied"


def test_percentage_is_capped_at_the_maximum_discount():
    result = quote("5000", value="20", max_discount="500")

    assert (result.discount, result.payable, result.reason_code) == (
        D("500.00"),
        D("4500.00"),
        "capped",
    )
    assert "500.00" in result.reason


def test_fixed_discount_is_never_above_the_order():
    assert quote("250", discount_type=DiscountType.FIXED, value="100").discount == D("100.00")
    small = quote("60.50", discount_type=DiscountType.FIXED, value="100")
    assert (small.discount, small.payable, small.reason_code) == (
        D("60.50"),
        D("0.00"),
        "limited_to_order",
    )


def test_bogo_and_free_shipping_give_their_value_when_the_brand_set_one():
    bogo = quote("900", discount_type=DiscountType.BOGO, value="299")
    delivery = quote("900", discount_type=DiscountType.FREE_SHIPPING, value="49")

    assert (bogo.discount, bogo.payable) == (D("299.00"), D("601.00"))
    assert delivery.discount == D("49.00")


def test_bogo_and_free_shipping_without_a_value_apply_with_nothing_off_and_say_why():
    bogo = quote("900", discount_type=DiscountType.BOGO, value=None)
    delivery = quote("900", discount_type=DiscountType.FREE_SHIPPING, value=None)

    assert bogo.applies and bogo.discount == D("0.00") and bogo.payable == D("900.00")
    assert bogo.reason_code == delivery.reason_code == "no_amount"
    assert "second item" in bogo.reason
    assert "delivery" in delivery.reason


def test_an_order_below_the_minimum_does_not_apply():
    result = quote("499.99", value="10", min_order="500")

    assert not result.applies
    assert (result.discount, result.payable) == (D("0.00"), D("499.99"))
    assert result.reason_code == "min_order_not_met"
    assert "₹500.00" in result.reason


def test_an_order_exactly_at_the_minimum_applies():
    assert quote("500", value="10", min_order="500").discount == D("50.00")


@pytest.mark.parametrize("bad", [D("-1"), D("10000000000"), 1.5, "lots"])
def test_a_negative_float_or_oversized_order_is_refused(bad):
    with pytest.raises(InvalidAmount):
        selectors.offer_discount(offer=offer(), order_amount=bad)


def test_the_quote_is_frozen():
    result = quote("100")
    with pytest.raises(AttributeError):
        result.discount = D("1")


amounts = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2)
optional_amounts = st.none() | amounts


@given(
    discount_type=st.sampled_from(DiscountType.values),
    value=optional_amounts,
    percent=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    min_order=optional_amounts,
    max_discount=optional_amounts,
    order=amounts,
)
def test_the_discount_is_never_negative_above_the_order_or_above_the_maximum(
    discount_type, value, percent, min_order, max_discount, order
):
    if discount_type == DiscountType.PERCENTAGE:
        value = percent
    the_offer = Offer(
        discount_type=discount_type,
        discount_value=value,
        min_order=min_order,
        max_discount=max_discount,
    )

    result = selectors.offer_discount(offer=the_offer, order_amount=order)

    assert result.discount >= 0
    assert result.discount <= order
    if max_discount is not None:
        assert result.discount <= max_discount
    assert result.payable == order - result.discount
    assert result.discount == result.discount.quantize(D("0.01"))
    if min_order is not None and order < min_order:
        assert not result.applies and result.discount == 0
