"""The cart arithmetic (commerce.pricing) as properties over random carts, promo codes and
wallets, plus worked examples in rupees and paise. Pure functions: no database."""

from decimal import ROUND_DOWN
from decimal import Decimal as D

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from commerce import pricing
from commerce.pricing import PricedLine, Promo

PAISA = D("0.01")
MINIMUM = D("1.00")


def is_paise(value) -> bool:
    """A Decimal holding whole paise, written with exactly two places (never a float)."""
    return isinstance(value, D) and value.as_tuple().exponent == -2


# --- Strategies --------------------------------------------------------------------------------


def rupees(low_paise: int, high_paise: int):
    return st.integers(low_paise, high_paise).map(lambda paise: D(paise).scaleb(-2))


@st.composite
def carts(draw, max_lines=6):
    """Lines of distinct denominations over a few products and categories."""
    count = draw(st.integers(0, max_lines))
    keys = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    return [
        PricedLine(
            key=key,
            product_id=draw(st.integers(1, 4)),
            category_id=draw(st.integers(1, 3)),
            # ₹1 to ₹50,000 a card: a variant's price is never below ₹1
            unit_price=draw(rupees(100, 5_000_000)),
            quantity=draw(st.integers(1, 10)),
        )
        for key in keys
    ]


@st.composite
def promos(draw):
    kind = draw(st.sampled_from(["percent", "flat"]))
    value = draw(rupees(1, 10_000) if kind == "percent" else rupees(1, 10_000_000))
    return Promo(
        kind=kind,
        value=value,
        max_discount=draw(st.none() | rupees(1, 1_000_000)),
        min_order=draw(st.just(D("0.00")) | rupees(0, 2_000_000)),
        product_ids=frozenset(draw(st.sets(st.integers(1, 4), max_size=2))),
        category_ids=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
    )


wallets = st.just(D("0.00")) | rupees(0, 10_000_000)


# --- The discount ------------------------------------------------------------------------------


@given(lines=carts(), promo=promos())
def test_the_discount_is_never_negative_nor_above_its_cap_the_eligible_lines_or_the_subtotal(
    lines, promo
):
    discount = pricing.promo_discount(lines, promo)
    eligible = pricing.eligible_subtotal(lines, promo)
    subtotal = sum((line.total for line in lines), D("0.00"))

    assert is_paise(discount)
    assert D("0.00") <= discount <= eligible <= subtotal
    if promo.max_discount is not None:
        assert discount <= promo.max_discount


@given(lines=carts(), promo=promos())
def test_no_discount_below_the_minimum_order_of_the_eligible_lines(lines, promo):
    eligible = pricing.eligible_subtotal(lines, promo)
    discount = pricing.promo_discount(lines, promo)
    if eligible < promo.min_order or eligible == 0:
        assert discount == 0


@given(lines=carts(), promo=promos())
def test_a_percentage_is_rounded_down_to_the_paisa_and_a_flat_amount_is_taken_whole(lines, promo):
    eligible = pricing.eligible_subtotal(lines, promo)
    discount = pricing.promo_discount(lines, promo)
    if eligible == 0 or eligible < promo.min_order:
        return
    cap = min(eligible, promo.max_discount if promo.max_discount is not None else eligible)
    if promo.kind == "percent":
        advertised = eligible * promo.value / 100
        # never more than the advertised percentage; less only by the paisa rounded away
        assert discount <= advertised
        assert discount == min(cap, advertised.quantize(PAISA, rounding=ROUND_DOWN))
    else:
        assert discount == min(cap, promo.value)


# --- The discount spread over lines ------------------------------------------------------------


@given(lines=carts(), promo=promos())
def test_line_shares_are_whole_paise_that_add_up_to_the_discount_exactly(lines, promo):
    discount = pricing.promo_discount(lines, promo)
    shares = pricing.split_discount(lines, promo, discount)

    assert set(shares) == {line.key for line in lines}
    assert all(is_paise(share) for share in shares.values())
    assert sum(shares.values(), D("0.00")) == discount
    for line in lines:
        assert D("0.00") <= shares[line.key] <= line.total
        if not promo.applies_to(line):
            assert shares[line.key] == 0


@given(lines=carts(), promo=promos())
def test_each_share_is_within_a_paisa_of_its_exact_proportion(lines, promo):
    discount = pricing.promo_discount(lines, promo)
    shares = pricing.split_discount(lines, promo, discount)
    eligible = pricing.eligible_subtotal(lines, promo)
    for line in lines:
        if promo.applies_to(line) and eligible:
            exact = discount * line.total / eligible
            assert abs(shares[line.key] - exact) < PAISA


@given(
    lines=carts(max_lines=4),
    promo=promos(),
    discount=rupees(0, 10_000_000),
)
def test_any_discount_up_to_the_eligible_total_splits_within_the_lines(lines, promo, discount):
    # split_discount is also called with a discount it did not work out itself
    eligible = pricing.eligible_subtotal(lines, promo)
    discount = min(discount, eligible)
    shares = pricing.split_discount(lines, promo, discount)
    assert sum(shares.values(), D("0.00")) == discount
    assert all(D("0.00") <= shares[line.key] <= line.total for line in lines)


# --- Wallet and what is left to pay ------------------------------------------------------------


@given(lines=carts(), promo=st.none() | promos(), available=wallets, use_wallet=st.booleans())
@example(
    lines=[PricedLine(1, 1, 1, D("490.00"), 1)],
    promo=None,
    available=D("489.50"),
    use_wallet=True,
)
def test_wallet_and_payable_add_up_to_the_total_and_never_go_negative(
    lines, promo, available, use_wallet
):
    result = pricing.breakdown(
        lines,
        promo=promo,
        wallet_available=available,
        use_wallet=use_wallet,
        gateway_minimum=MINIMUM,
    )

    for amount in (result.subtotal, result.discount, result.wallet, result.payable, result.total):
        assert is_paise(amount)
    assert result.payable >= 0
    assert result.wallet >= 0
    assert result.wallet + result.payable == result.total == result.subtotal - result.discount
    assert result.wallet <= available
    assert sum(result.line_discounts.values(), D("0.00")) == result.discount
    if not use_wallet:
        assert result.wallet == 0
        assert result.payable == result.total


@given(lines=carts(), promo=st.none() | promos(), available=wallets)
def test_with_the_wallet_the_online_part_is_nothing_or_at_least_the_gateway_minimum(
    lines, promo, available
):
    result = pricing.breakdown(
        lines, promo=promo, wallet_available=available, use_wallet=True, gateway_minimum=MINIMUM
    )
    if result.total >= MINIMUM or available >= result.total:
        assert result.payable == 0 or result.payable >= MINIMUM
    else:
        # a total below ₹1 the wallet can't cover: nothing can pay it (the cart says so)
        assert (result.wallet, result.payable) == (D("0.00"), result.total)


@given(lines=carts(), promo=st.none() | promos(), available=wallets)
def test_the_wallet_pays_as_much_as_it_can(lines, promo, available):
    result = pricing.breakdown(
        lines, promo=promo, wallet_available=available, use_wallet=True, gateway_minimum=MINIMUM
    )
    most = min(available, result.total)
    if result.total - most == 0 or result.total - most >= MINIMUM:
        assert result.wallet == most
    else:
        # it leaves exactly the minimum to pay online
        assert result.wallet == max(D("0.00"), result.total - MINIMUM)


@given(
    total=rupees(0, 10_000_000),
    available=rupees(-100_000, 10_000_000),
    minimum=rupees(0, 10_000),
)
def test_wallet_share_is_never_negative_nor_above_the_balance_or_the_total(
    total, available, minimum
):
    wallet = pricing.wallet_share(total, available, minimum)
    assert is_paise(wallet)
    assert D("0.00") <= wallet <= max(D("0.00"), min(available, total))


# --- Refunds -----------------------------------------------------------------------------------


@given(
    amount=rupees(0, 10_000_000),
    gateway_paid=rupees(0, 10_000_000),
    refunded_share=st.integers(0, 100),
)
def test_a_refund_is_conserved_and_the_card_gets_back_at_most_what_it_paid(
    amount, gateway_paid, refunded_share
):
    gateway_refunded = (gateway_paid * refunded_share / 100).quantize(PAISA, rounding=ROUND_DOWN)
    to_gateway, to_wallet = pricing.refund_split(
        amount, gateway_paid=gateway_paid, gateway_refunded=gateway_refunded
    )
    assert is_paise(to_gateway) and is_paise(to_wallet)
    assert to_gateway + to_wallet == amount
    assert D("0.00") <= to_gateway <= gateway_paid - gateway_refunded
    assert to_wallet >= 0
    # card first: the wallet gets something only once the card's share is used up
    assert to_wallet == 0 or to_gateway == gateway_paid - gateway_refunded


# --- Worked examples ---------------------------------------------------------------------------


def line(key, price, quantity=1, product=1, category=1) -> PricedLine:
    return PricedLine(
        key=key, product_id=product, category_id=category, unit_price=D(price), quantity=quantity
    )


def test_100_rupees_off_three_lines_of_333_33_splits_into_33_34_33_33_33_33():
    lines = [line(1, "333.33"), line(2, "333.33"), line(3, "333.33")]
    promo = Promo(kind="flat", value=D("100.00"))

    result = pricing.breakdown(lines, promo=promo)

    assert result.subtotal == D("999.99")
    assert result.discount == D("100.00")
    assert result.line_discounts == {1: D("33.34"), 2: D("33.33"), 3: D("33.33")}
    assert result.total == result.payable == D("899.99")


def test_ten_percent_of_999_99_is_99_99_not_100_00():
    promo = Promo(kind="percent", value=D("10.00"))
    assert pricing.promo_discount([line(1, "333.33", 3)], promo) == D("99.99")


def test_the_cap_bites_before_the_percentage():
    promo = Promo(kind="percent", value=D("10.00"), max_discount=D("50.00"))
    result = pricing.breakdown([line(1, "490.00", 2)], promo=promo)
    assert (result.subtotal, result.discount, result.total) == (
        D("980.00"),
        D("50.00"),
        D("930.00"),
    )


def test_a_flat_discount_larger_than_the_eligible_lines_is_cut_to_them():
    promo = Promo(kind="flat", value=D("500.00"), product_ids=frozenset({7}))
    lines = [line(1, "200.00", product=7), line(2, "900.00", product=8)]
    result = pricing.breakdown(lines, promo=promo)
    assert result.discount == D("200.00")
    assert result.line_discounts == {1: D("200.00"), 2: D("0.00")}


def test_the_minimum_order_counts_only_the_lines_the_promo_applies_to():
    promo = Promo(kind="flat", value=D("50.00"), min_order=D("500.00"), category_ids=frozenset({3}))
    lines = [line(1, "490.00", category=3), line(2, "10000.00", category=4)]
    assert pricing.promo_discount(lines, promo) == D("0.00")
    assert pricing.promo_discount([*lines, line(3, "10.00", category=3)], promo) == D("50.00")


def test_a_shares_rounding_paisa_goes_to_the_largest_remainder():
    # ₹1.00 over ₹1 and ₹2 lines: 33.33.. and 66.66.. paise; the larger remainder gets the paisa
    promo = Promo(kind="flat", value=D("1.00"))
    shares = pricing.split_discount([line(1, "1.00"), line(2, "2.00")], promo, D("1.00"))
    assert shares == {1: D("0.33"), 2: D("0.67")}


@pytest.mark.parametrize(
    ("total", "available", "wallet", "payable"),
    [
        ("490.00", "100.00", "100.00", "390.00"),
        ("490.00", "1000.00", "490.00", "0.00"),
        ("490.00", "489.50", "489.00", "1.00"),  # leaves the gateway's minimum
        ("490.00", "489.99", "489.00", "1.00"),
        ("490.00", "0.00", "0.00", "490.00"),
        ("0.50", "0.20", "0.00", "0.50"),  # can't be paid at all: the cart refuses it
        ("0.50", "0.50", "0.50", "0.00"),
    ],
)
def test_wallet_share_examples(total, available, wallet, payable):
    share = pricing.wallet_share(D(total), D(available), MINIMUM)
    assert (share, D(total) - share) == (D(wallet), D(payable))


def test_a_refund_goes_to_the_card_first_then_the_wallet():
    assert pricing.refund_split(
        D("100.00"), gateway_paid=D("830.00"), gateway_refunded=D("800.00")
    ) == (D("30.00"), D("70.00"))
    assert pricing.refund_split(
        D("100.00"), gateway_paid=D("0.00"), gateway_refunded=D("0.00")
    ) == (D("0.00"), D("100.00"))


def test_a_promo_is_live_from_its_start_until_just_before_its_end():
    from datetime import UTC, datetime, timedelta

    start = datetime(2025, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=1)
    assert not pricing.promo_live(start, end, start - timedelta(seconds=1))
    assert pricing.promo_live(start, end, start)
    assert not pricing.promo_live(start, end, end)
    assert pricing.promo_live(start, None, end + timedelta(days=999))


def test_floats_are_refused_where_money_enters():
    from coupzii.core.money import InvalidAmount

    with pytest.raises(InvalidAmount):
        pricing.wallet_share(D("10.00"), 5.5, MINIMUM)


# --- price_cart: the whole cart ----------------------------------------------------------------


@st.composite
def cart_items(draw, max_lines=6):
    """Cart lines as the cart reads them: price, face value, stock and limits, on sale or not."""
    lines = draw(carts(max_lines))
    items = []
    for priced in lines:
        low = draw(st.integers(1, 3))
        items.append(
            pricing.CartItem(
                key=priced.key,
                sku=f"sku-{priced.key}",
                product_id=priced.product_id,
                category_id=priced.category_id,
                face_value=priced.unit_price + draw(rupees(0, 100_000)),
                unit_price=priced.unit_price,
                quantity=priced.quantity,
                stock=draw(st.integers(0, 12)),
                min_quantity=low,
                max_quantity=draw(st.integers(low, 10)),
                on_sale=draw(st.booleans()),
            )
        )
    return items


@given(items=cart_items(), promo=st.none() | promos(), available=wallets, use_wallet=st.booleans())
def test_price_cart_adds_up_as_the_breakdown_does_and_every_line_shares_in_it(
    items, promo, available, use_wallet
):
    price = pricing.price_cart(
        items,
        promo=promo,
        promo_code="CODE",
        wallet_available=available,
        use_wallet=use_wallet,
        gateway_minimum=MINIMUM,
    )

    expected = pricing.breakdown(
        [item.line for item in items],
        promo=promo,
        wallet_available=available,
        use_wallet=use_wallet,
        gateway_minimum=MINIMUM,
    )
    assert price.breakdown == expected
    assert [p.key for p in price.items] == [item.key for item in items]
    assert sum((p.line_total for p in price.items), D("0.00")) == expected.subtotal
    assert sum((p.discount for p in price.items), D("0.00")) == expected.discount
    for p in price.items:
        assert is_paise(p.line_total) and is_paise(p.discount) and is_paise(p.saving)
        assert D("0.00") <= p.discount <= p.line_total
    face = sum((item.face_value * item.quantity for item in items), D("0.00"))
    assert price.savings == face - expected.total
    assert price.savings >= expected.discount
    # Each line with a problem has it under its SKU, and only those.
    assert {k for k in price.problems if k.startswith("lines.")} == {
        f"lines.{item.sku}" for item, p in zip(items, price.items, strict=True) if p.problem
    }
    if promo is not None and items and expected.discount == 0:
        assert "CODE" in price.problems["promo_code"][0]
    else:
        assert "promo_code" not in price.problems
    assert ("payable" in price.problems) == (D("0.00") < expected.payable < MINIMUM)


@given(items=cart_items(), promo=promos())
def test_a_promo_that_cannot_be_used_now_gives_nothing_and_says_why(items, promo):
    price = pricing.price_cart(items, promo=promo, promo_code="CODE", promo_error="Used up.")

    assert price.breakdown.discount == 0
    assert all(p.discount == 0 for p in price.items)
    assert price.problems["promo_code"] == ["Used up."]


def item(key, price, quantity=1, *, face="500.00", stock=10, low=1, high=10, on_sale=True):
    return pricing.CartItem(
        key=key,
        sku=f"sku-{key}",
        product_id=key,
        category_id=1,
        face_value=D(face),
        unit_price=D(price),
        quantity=quantity,
        stock=stock,
        min_quantity=low,
        max_quantity=high,
        on_sale=on_sale,
    )


def test_price_cart_worked_example_with_a_promo_and_the_wallet():
    items = [item(1, "485.00", 2), item(2, "970.00", 1, face="1000.00")]
    promo = Promo(kind="percent", value=D("10.00"), max_discount=D("150.00"))

    price = pricing.price_cart(
        items, promo=promo, promo_code="TEN", wallet_available=D("300.00"), use_wallet=True
    )

    b = price.breakdown
    assert (b.subtotal, b.discount, b.wallet, b.payable) == (
        D("1940.00"),
        D("150.00"),
        D("300.00"),
        D("1490.00"),
    )
    assert [(p.line_total, p.discount, p.saving) for p in price.items] == [
        (D("970.00"), D("75.00"), D("30.00")),
        (D("970.00"), D("75.00"), D("30.00")),
    ]
    assert price.savings == D("210.00")  # 60 below face value, 150 off
    assert price.problems == {}


def test_price_cart_names_each_lines_problem_the_first_that_applies():
    items = [
        item(1, "100.00", on_sale=False, stock=0),
        item(2, "100.00", stock=0),
        item(3, "100.00", 3, stock=2),
        item(4, "100.00", 1, low=2, high=4),
        item(5, "100.00", 2),
    ]

    price = pricing.price_cart(items)

    assert price.problems == {
        "lines.sku-1": ["This gift card is no longer sold. Remove it to continue."],
        "lines.sku-2": ["Out of stock. Remove it to continue."],
        "lines.sku-3": ["Only 2 left."],
        "lines.sku-4": ["Choose between 2 and 4 of this card per order."],
    }
    assert price.item(5).problem == ""


def test_price_cart_says_how_much_more_a_minimum_order_needs():
    promo = Promo(kind="flat", value=D("50.00"), min_order=D("500.00"))
    price = pricing.price_cart([item(1, "490.00")], promo=promo, promo_code="FIFTY")
    assert price.breakdown.discount == 0
    assert price.problems == {
        "promo_code": ["Add ₹10.00 more of eligible gift cards to use FIFTY."]
    }
    other = Promo(kind="flat", value=D("50.00"), product_ids=frozenset({99}))
    price = pricing.price_cart([item(1, "490.00")], promo=other, promo_code="FIFTY")
    assert price.problems == {"promo_code": ["FIFTY doesn't apply to the gift cards in your cart."]}


def test_price_cart_refuses_an_online_part_below_the_gateway_minimum():
    price = pricing.price_cart([item(1, "0.50")], gateway_minimum=MINIMUM)
    assert price.problems == {"payable": ["The amount to pay online must be at least ₹1.00."]}
