"""The net-price optimiser on plain values: figures to the paisa, the conditions of each coupon,
gift cards, cashback, ranking, and the properties that hold for any cart."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from django.utils import translation
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

TODAY = date(2026, 12, 7)


def cart(*items, store="zara") -> Cart:
    return Cart(store=store, items=tuple(items))


def item(price, quantity=1, category="fashion", name="Shirt") -> CartItem:
    return CartItem(name=name, category=category, unit_price=D(price), quantity=quantity)


def coupon(ref, benefit="percent", value="10", source="offer", **terms) -> Candidate:
    for key in ("min_order", "max_discount", "cost"):
        if key in terms:
            terms[key] = D(terms[key])
    return Candidate(
        ref=ref, source=source, title=ref, benefit=benefit, store="zara", value=D(value), **terms
    )


def gift_card(ref, face, price, stock=5, min_quantity=1) -> Candidate:
    return Candidate(
        ref=ref,
        source="gift_card",
        title="Zara gift card",
        benefit="gift_card",
        store="zara",
        face_value=D(face),
        price=D(price),
        stock=stock,
        min_quantity=min_quantity,
        product="zara-gift-card",
    )


def cashback(percent, days=45) -> Candidate:
    return Candidate(
        ref="zara",
        source="cashback",
        title="Zara",
        benefit="cashback_percent",
        store="zara",
        value=D(percent),
        confirmation_days=days,
    )


def reasons(analysis) -> dict:
    return {rejected.candidate.ref: rejected.reason_code for rejected in analysis.rejected}


def test_a_percentage_coupon_is_capped_at_its_maximum_discount():
    analysis = cart_options(
        cart(item("999.50", 2)), [coupon("TEN", max_discount="150")], today=TODAY
    )

    best = analysis.best
    assert best.coupon.ref == "TEN"
    assert best.discount == D("150.00")
    assert best.pay_now == D("1849.00")
    assert best.saving == D("150.00")


def test_percentages_round_half_up_to_the_paisa():
    # 12.5% of 100.20 = 12.525 -> 12.53
    analysis = cart_options(cart(item("100.20")), [coupon("HALF", value="12.5")], today=TODAY)

    assert analysis.best.discount == D("12.53")
    assert analysis.best.pay_now == D("87.67")


def test_a_coupon_below_its_minimum_order_is_refused_with_the_figures():
    analysis = cart_options(
        cart(item("1200")),
        [coupon("BIG", benefit="flat", value="300", min_order="1500")],
        today=TODAY,
    )

    assert analysis.best.is_full_price
    [rejected] = analysis.rejected
    assert rejected.reason_code == Reason.MIN_ORDER_NOT_MET
    assert "₹1,500.00" in rejected.reason and "₹1,200.00" in rejected.reason


def test_the_minimum_order_counts_only_the_items_the_coupon_covers():
    shoes_only = coupon(
        "SHOES", benefit="flat", value="200", min_order="1000", categories=frozenset({"shoes"})
    )
    analysis = cart_options(
        cart(item("800", category="shoes"), item("900", category="home")),
        [shoes_only],
        today=TODAY,
    )

    assert reasons(analysis) == {"SHOES": Reason.MIN_ORDER_NOT_MET}


def test_a_category_coupon_discounts_only_its_items():
    fashion = coupon("FASHION", value="20", categories=frozenset({"fashion"}))
    analysis = cart_options(
        cart(item("1000", category="fashion"), item("500", category="home")),
        [fashion],
        today=TODAY,
    )

    assert analysis.best.discount == D("200.00")
    assert analysis.best.pay_now == D("1300.00")


def test_a_coupon_whose_categories_are_all_excluded_does_not_apply():
    not_home = coupon("NOTHOME", excluded=frozenset({"home"}))
    analysis = cart_options(cart(item("500", category="home")), [not_home], today=TODAY)

    assert reasons(analysis) == {"NOTHOME": Reason.CATEGORY_EXCLUDED}


def test_a_category_coupon_on_items_of_unknown_category_says_what_would_qualify():
    shoes = coupon("SHOES", categories=frozenset({"shoes"}))
    analysis = cart_options(cart(item("500", category="")), [shoes], today=TODAY)

    [rejected] = analysis.rejected
    assert rejected.reason_code == Reason.CATEGORY_EXCLUDED
    assert "shoes" in rejected.reason


def test_expired_and_other_store_coupons_are_explained():
    expired = coupon("OLD", source="locker", expires_on=TODAY - timedelta(days=1))
    today_is_fine = coupon("LAST", source="locker", expires_on=TODAY, value="5")
    elsewhere = Candidate(
        ref="H", source="offer", title="H", benefit="flat", store="hm", value=D("100")
    )
    analysis = cart_options(cart(item("1000")), [expired, today_is_fine, elsewhere], today=TODAY)

    assert reasons(analysis) == {"OLD": Reason.EXPIRED, "H": Reason.OTHER_STORE}
    assert analysis.best.coupon.ref == "LAST"


def test_only_one_coupon_is_used_and_the_bigger_saving_ranks_first():
    analysis = cart_options(
        cart(item("2000")),
        [coupon("TEN", value="10"), coupon("FLAT300", benefit="flat", value="300")],
        today=TODAY,
    )

    assert [option.coupon.ref if option.coupon else None for option in analysis.options] == [
        "FLAT300",
        "TEN",
        None,
    ]
    assert analysis.best.pay_now == D("1700.00")


def test_a_listing_counts_its_price_against_its_saving():
    listing = coupon("L1", source="listing", benefit="flat", value="500", cost="120")
    store_offer = coupon("S", benefit="flat", value="350")
    analysis = cart_options(cart(item("3000")), [listing, store_offer], today=TODAY)

    best = analysis.best
    assert best.coupon.ref == "L1"
    assert (best.discount, best.coupon_cost, best.pay_now, best.saving) == (
        D("500.00"),
        D("120.00"),
        D("2620.00"),
        D("380.00"),
    )


def test_a_listing_that_costs_as_much_as_it_saves_is_not_an_option():
    listing = coupon("L1", source="listing", benefit="flat", value="100", cost="100")
    analysis = cart_options(cart(item("3000")), [listing], today=TODAY)

    assert reasons(analysis) == {"L1": Reason.COSTS_MORE_THAN_IT_SAVES}


def test_bogo_without_a_rupee_value_is_explained_not_priced():
    bogo = Candidate(ref="B", source="offer", title="B", benefit="bogo", store="zara")
    analysis = cart_options(cart(item("999")), [bogo], today=TODAY)

    assert reasons(analysis) == {"B": Reason.NO_AMOUNT}


def test_gift_cards_pay_whole_denominations_up_to_the_after_coupon_amount():
    analysis = cart_options(
        cart(item("1750")),
        [coupon("FLAT200", benefit="flat", value="200"), gift_card("zara-500", "500", "470")],
        today=TODAY,
    )

    best = analysis.best
    # 1550 after the coupon: three ₹500 cards (₹1,500), the rest paid at the store.
    assert best.coupon.ref == "FLAT200"
    assert best.gift_card.quantity == 3
    assert best.gift_card_saving == D("90.00")
    assert best.pay_now == D("1460.00")


def test_gift_cards_respect_stock_and_skip_cards_sold_at_face_value():
    analysis = cart_options(
        cart(item("5000")),
        [gift_card("zara-1000", "1000", "950", stock=2), gift_card("zara-full", "500", "500")],
        today=TODAY,
    )

    assert analysis.best.gift_card.quantity == 2
    assert analysis.best.gift_card_saving == D("100.00")
    assert reasons(analysis) == {"zara-full": Reason.NO_SAVING}


def test_gift_cards_sold_only_several_at_a_time_are_never_planned_fewer():
    # given: ₹500 cards sold at least three an order, on a cart of ₹1,200 (two would fit)
    three_at_least = gift_card("zara-500", "500", "450", min_quantity=3)

    analysis = cart_options(cart(item("1200")), [three_at_least], today=TODAY)

    # then: the cart would refuse two, so none is offered, and the reason says why
    assert analysis.best.is_full_price
    assert all(option.gift_card is None for option in analysis.options)
    (rejected,) = analysis.rejected
    assert rejected.reason_code == Reason.DENOMINATION_TOO_LARGE
    assert "3 at a time" in rejected.reason and "₹1,500.00" in rejected.reason


def test_gift_cards_with_less_stock_than_one_order_needs_are_out_of_stock():
    short = gift_card("zara-500", "500", "450", stock=2, min_quantity=3)

    analysis = cart_options(cart(item("5000")), [short], today=TODAY)

    assert analysis.best.is_full_price
    assert reasons(analysis) == {"zara-500": Reason.OUT_OF_STOCK}


def test_a_gift_card_larger_than_the_order_is_explained():
    analysis = cart_options(cart(item("300")), [gift_card("zara-500", "500", "450")], today=TODAY)

    assert analysis.best.is_full_price
    assert reasons(analysis) == {"zara-500": Reason.DENOMINATION_TOO_LARGE}


def test_cashback_is_on_the_after_coupon_amount_and_confirmed_later():
    analysis = cart_options(
        cart(item("1000")),
        [coupon("FLAT100", benefit="flat", value="100"), cashback("5", days=30)],
        today=TODAY,
    )

    best = analysis.best
    assert best.cashback_amount == D("45.00")
    assert best.cashback_by == date(2027, 1, 6)
    assert best.net == D("855.00")
    assert analysis.full_price.cashback_amount == D("50.00")
    assert analysis.full_price.net == D("950.00")


def test_the_full_price_option_is_always_there():
    analysis = cart_options(cart(item("10")), [], today=TODAY)

    assert analysis.best is analysis.full_price
    assert analysis.full_price.pay_now == D("10.00")
    assert analysis.rejected == ()


def test_limit_keeps_the_best_options():
    coupons = [coupon(f"C{n}", benefit="flat", value=str(n)) for n in range(1, 20)]
    analysis = cart_options(cart(item("1000")), coupons, today=TODAY, limit=3)

    assert [option.coupon.ref for option in analysis.options] == ["C19", "C18", "C17"]


# --- Properties ------------------------------------------------------------------------------

CATEGORIES = ["fashion", "shoes", "home", ""]
amounts = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
items = st.builds(
    CartItem,
    name=st.just("Item"),
    category=st.sampled_from(CATEGORIES),
    unit_price=amounts,
    quantity=st.integers(1, 5),
)
coupons = st.builds(
    Candidate,
    ref=st.uuids().map(str),
    source=st.sampled_from(["locker", "offer", "listing"]),
    title=st.just("Coupon"),
    benefit=st.sampled_from(["percent", "flat", "bogo", "free_shipping"]),
    store=st.just("zara"),
    value=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("120"), places=2)),
    min_order=st.one_of(st.none(), amounts),
    max_discount=st.one_of(st.none(), amounts),
    categories=st.frozensets(st.sampled_from(CATEGORIES[:3]), max_size=2),
    excluded=st.frozensets(st.sampled_from(CATEGORIES[:3]), max_size=1),
    expires_on=st.one_of(st.none(), st.dates(TODAY - timedelta(days=3), TODAY + timedelta(3))),
    cost=st.one_of(st.just(D("0.00")), st.decimals(min_value=D("1"), max_value=D("500"), places=2)),
)
gift_cards = st.builds(
    gift_card,
    ref=st.uuids().map(str),
    face=st.sampled_from(["100", "500", "1000", "2000"]),
    price=st.sampled_from(["90", "450", "480", "1000"]),
    stock=st.integers(0, 5),
    min_quantity=st.integers(1, 3),
)
cashbacks = st.builds(cashback, percent=st.sampled_from(["0", "2.5", "7", "10"]))


@st.composite
def problems(draw, coupons=coupons):
    """A random cart at Zara and what might pay for it: coupons (drawn from `coupons`), gift
    cards and at most one cashback."""
    the_cart = Cart(store="zara", items=tuple(draw(st.lists(items, min_size=1, max_size=6))))
    candidates = draw(st.lists(coupons, max_size=8))
    candidates += draw(st.lists(gift_cards, max_size=3))
    candidates += draw(st.lists(cashbacks, max_size=1))
    return the_cart, candidates


def covered_by(candidate: Candidate, the_cart: Cart) -> D:
    """The rule, written out again: excluded never; no categories, every item; an unknown
    item only when the coupon covers unknown items; else the item's category."""
    total = D("0.00")
    for each in the_cart.items:
        if each.category in candidate.excluded:
            continue
        if not candidate.categories:
            total += each.line_total
        elif each.category == "":
            total += each.line_total if candidate.covers_unknown else 0
        elif each.category in candidate.categories:
            total += each.line_total
    return total


def coupon_alone(candidate: Candidate, the_cart: Cart) -> D | None:
    """What the coupon takes off the cart by its own terms, worked out here independently of
    the optimiser; None when its conditions are not met (a deal takes nothing off)."""
    covered = covered_by(candidate, the_cart)
    if candidate.deal or covered <= 0:
        return None
    if candidate.min_order is not None and covered < candidate.min_order:
        return None
    value = candidate.value or D("0")
    if candidate.benefit == "percent":
        discount = (covered * value / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    else:
        discount = value
    if candidate.max_discount is not None:
        discount = min(discount, candidate.max_discount)
    return min(discount, covered)


def cashback_alone(candidates, amount: D) -> D:
    rates = [c.value for c in candidates if c.source == "cashback"]
    return max(
        [(amount * rate / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP) for rate in rates],
        default=D("0.00"),
    )


def assert_best_beats_each_coupon_alone(analysis, the_cart: Cart, candidates) -> None:
    """The best option is as good as using any one coupon that applies (and saves more than
    it costs) on its own, and the optimiser's discount for it is the one worked out here."""
    for candidate in candidates:
        if not candidate.is_coupon or (candidate.expires_on and candidate.expires_on < TODAY):
            continue
        discount = coupon_alone(candidate, the_cart)
        if discount is None or discount <= candidate.cost or discount <= 0:
            continue
        # That coupon alone, the rest paid at the store, with the store's cashback.
        store_amount = the_cart.subtotal - discount
        net_alone = store_amount + candidate.cost - cashback_alone(candidates, store_amount)
        assert analysis.best.net <= net_alone
        assert coupon_discount(candidate, the_cart) == discount


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_best_option_is_as_good_as_any_single_applicable_coupon(problem):
    the_cart, candidates = problem
    analysis = cart_options(the_cart, candidates, today=TODAY)

    assert_best_beats_each_coupon_alone(analysis, the_cart, candidates)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_no_option_breaks_a_coupons_conditions_nor_goes_below_zero(problem):
    the_cart, candidates = problem
    analysis = cart_options(the_cart, candidates, today=TODAY)

    for option in (*analysis.options, analysis.full_price):
        for figure in (option.pay_now, option.net, option.discount, option.cashback_amount):
            assert figure >= 0
            assert figure == figure.quantize(D("0.01"))
        assert option.pay_now == option.subtotal - option.discount + option.coupon_cost - (
            option.gift_card_saving
        )
        assert option.net == max(option.pay_now - option.cashback_amount, D("0"))
        used = option.coupon
        if used is not None:
            covered = covered_by(used, the_cart)
            assert used.store == the_cart.store
            assert used.expires_on is None or used.expires_on >= TODAY
            assert covered > 0
            assert used.min_order is None or covered >= used.min_order
            assert option.discount <= covered
            assert used.max_discount is None or option.discount <= used.max_discount
            assert option.discount > used.cost
        if option.gift_card is not None:
            plan = option.gift_card
            assert plan.card.min_quantity <= plan.quantity <= plan.card.stock
            assert plan.face_total <= option.subtotal - option.discount
            assert plan.card.price < plan.card.face_value
    ranked = [(option.net, option.pay_now) for option in analysis.options]
    assert ranked == sorted(ranked)
    assert analysis.best.net <= analysis.full_price.net


@settings(max_examples=200, deadline=None)
@given(problems(), st.integers(1, 5))
def test_the_top_options_are_the_same_as_when_every_option_is_worked_out(problem, limit):
    # With a limit above the number of options, no gift-card plan is skipped.
    the_cart, candidates = problem
    everything = cart_options(the_cart, candidates, today=TODAY, limit=10_000)
    top = cart_options(the_cart, candidates, today=TODAY, limit=limit)

    assert [(o.net, o.pay_now) for o in top.options] == [
        (o.net, o.pay_now) for o in everything.options[:limit]
    ]


# --- What the reasons say ----------------------------------------------------------------------


def reason_text(analysis, ref: str) -> str:
    return next(row.reason for row in analysis.rejected if row.candidate.ref == ref)


def test_an_expired_coupons_reason_writes_the_date_as_the_site_does():
    expired = coupon("OLD", source="locker", expires_on=date(2026, 11, 26))

    with translation.override("en"):
        english = reason_text(cart_options(cart(item("1000")), [expired], today=TODAY), "OLD")
    with translation.override("hi"):
        hindi = reason_text(cart_options(cart(item("1000")), [expired], today=TODAY), "OLD")

    assert "26 Nov 2026" in english
    assert "26 नवंबर 2026" in hindi  # the site's Hindi month name (coupzii/core/django_strings.py)
    assert "2026-11-26" not in english + hindi


def test_a_category_reason_shows_the_names_the_caller_gives_not_slugs():
    shoes_only = coupon("SHOES", categories=frozenset({"footwear", "jewellery-watches"}))
    names = {"footwear": "Footwear", "jewellery-watches": "Jewellery & Watches"}.get

    analysis = cart_options(
        cart(item("1000", category="")), [shoes_only], today=TODAY, category_name=names
    )

    reason = reason_text(analysis, "SHOES")
    assert "(Footwear, Jewellery & Watches)" in reason
    assert "jewellery-watches" not in reason
