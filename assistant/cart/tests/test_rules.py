"""The optimiser's rules for deals and for items without a category, with properties over
random carts in which some offers are deals and some coupons cover unknown items."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.cart.optimiser import (
    Candidate,
    Cart,
    CartItem,
    Reason,
    cart_options,
    coupon_discount,
)
from assistant.cart.tests.test_optimiser import (
    assert_best_beats_each_coupon_alone,
    coupons,
    covered_by,
    problems,
)

TODAY = date(2026, 12, 1)


def cart(*lines) -> Cart:
    return Cart(store="ajio", items=tuple(lines))


def line(price, category="") -> CartItem:
    return CartItem(name="Item", category=category, unit_price=D(price), quantity=1)


def offer(ref, value="50", benefit="percent", **terms) -> Candidate:
    return Candidate(
        ref=ref, source="offer", title=ref, benefit=benefit, store="ajio", value=D(value), **terms
    )


def test_a_deal_takes_nothing_off_and_a_code_does():
    sale = offer("SALE", deal=True)
    code = offer("CODE20", value="20", needs_code=True)
    analysis = cart_options(cart(line("1800", "footwear")), [sale, code], today=TODAY)

    assert analysis.best.coupon == code
    assert analysis.best.discount == D("360.00")
    assert all(option.coupon != sale for option in analysis.options)
    [refused] = [r for r in analysis.rejected if r.candidate == sale]
    assert refused.reason_code == Reason.DEAL_IN_PRICES
    assert coupon_discount(sale, analysis.cart) is None


def test_with_only_deals_the_shopper_pays_the_stores_price():
    analysis = cart_options(cart(line("1800")), [offer("SALE", deal=True)], today=TODAY)

    assert analysis.best.pay_now == D("1800.00")
    assert analysis.best.coupon is None


def test_deals_are_explained_after_the_coupons():
    sale = offer("SALE", deal=True)
    far = offer("FAR", value="100", benefit="flat", min_order=D("5000"))
    analysis = cart_options(cart(line("1800")), [sale, far], today=TODAY)

    assert [r.candidate.ref for r in analysis.rejected] == ["FAR", "SALE"]


def test_a_category_coupon_covers_only_items_known_to_be_in_its_categories():
    fashion = offer("FASHION", value="10", categories=frozenset({"fashion", "footwear"}))
    analysis = cart_options(
        cart(line("1000", "footwear"), line("3000", ""), line("500", "beauty")),
        [fashion],
        today=TODAY,
    )

    assert analysis.best.discount == D("100.00")  # 10% of the ₹1,000 of footwear only


def test_the_reason_names_the_categories_whether_or_not_items_are_unknown():
    shoes = offer("SHOES", categories=frozenset({"footwear"}))
    names = {"footwear": "Footwear"}.get

    unknown = cart_options(cart(line("1000")), [shoes], today=TODAY, category_name=names)
    known = cart_options(cart(line("1000", "beauty")), [shoes], today=TODAY, category_name=names)

    assert unknown.rejected[0].reason == (
        "It covers only some categories (Footwear); say what the items are."
    )
    assert known.rejected[0].reason == (
        "It covers only some categories (Footwear); no item in the cart is in them."
    )


def test_a_coupon_marked_as_covering_unknown_items_applies_to_them():
    """candidates.py marks a coupon for the whole department of a one-department store."""
    whole = offer("FASHION", value="10", categories=frozenset({"fashion"}), covers_unknown=True)
    excluded = replace(whole, ref="NOTHOME", excluded=frozenset({""}))
    analysis = cart_options(cart(line("1000"), line("500", "home")), [whole], today=TODAY)

    assert analysis.best.discount == D("100.00")
    assert coupon_discount(excluded, analysis.cart) is None


# --- Properties ---------------------------------------------------------------------------------

flagged = st.builds(
    lambda candidate, deal, unknown: replace(candidate, deal=deal, covers_unknown=unknown),
    coupons,
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(problems(flagged))
def test_the_best_option_beats_every_single_coupon_and_never_counts_a_deal(problem):
    the_cart, candidates = problem
    analysis = cart_options(the_cart, candidates, today=TODAY)

    assert_best_beats_each_coupon_alone(analysis, the_cart, candidates)
    for option in (*analysis.options, analysis.full_price):
        assert option.pay_now >= 0 and option.net >= 0 and option.discount >= 0
        if option.coupon is not None:
            covered = covered_by(option.coupon, the_cart)
            assert not option.coupon.deal
            assert covered > 0
            assert option.discount <= covered
            assert option.coupon.min_order is None or covered >= option.coupon.min_order
            assert option.coupon.max_discount is None or (
                option.discount <= option.coupon.max_discount
            )
