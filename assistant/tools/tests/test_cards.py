"""What the cards say to the shopper: dates as the site's pages write them (in the shopper's
language), and a cashback's card saying where it stands (pending, with the likely range its
store's history gives as the wallet shows it, confirmed or declined)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from assistant.safety import answer_problems
from catalog.tests.factories import MerchantFactory
from coupzii.core.money import format_inr
from marketplace.tests.factories import LockerCouponFactory
from offers.models import DiscountType
from offers.templatetags.offer_tags import discount_badge
from offers.tests.factories import ClickFactory, OfferFactory
from wallet.arrival import arrival_estimates_refresh
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.tests.factories import confirmed_cashback, sale_for, with_status
from wallet.tests.test_arrival import confirmations, ist, pending_sale, reported_on

from .conftest import run

pytestmark = pytest.mark.django_db


def facts(card: dict) -> dict:
    return dict(card["facts"])


def reported(user, *then: str):
    """A sale of `user`'s reported pending by the network, then with each status of `then`."""
    click = ClickFactory(user=user, offer__merchant__cashback_value=Decimal("10.00"))
    sale = sale_for(click, sale_amount="2000.00", commission="400.00")
    event = cashback_report(sale=sale)
    for status in then:
        event = cashback_report(sale=with_status(sale, status))
    return event


@pytest.mark.parametrize("language", ["en", "hi"])
def test_card_dates_are_written_as_the_sites_pages_write_them(asha, language):
    ends = timezone.now() + timedelta(days=60)
    OfferFactory(title="A deal", ends_at=ends)
    expires = timezone.localdate() + timedelta(days=4)
    LockerCouponFactory(owner=asha, code="KEEPME123", worth=Decimal("100.00"), expires_on=expires)

    offer = run(asha, "search_offers", language=language)
    coupon = run(asha, "my_locker", language=language)

    with translation.override(language):
        ends_text, expires_text = date_format(timezone.localdate(ends)), date_format(expires)
    assert ends_text in facts(offer.cards[0]).values()
    assert expires_text in facts(coupon.cards[0]).values()
    # the model's data keeps the ISO date it can compute with
    assert offer.data["offers"][0]["ends"] == timezone.localdate(ends).isoformat()
    assert coupon.data["coupons"][0]["expires_on"] == expires.isoformat()


def test_a_hindi_card_names_the_month_in_hindi(asha):
    next_january = date(timezone.localdate().year + 1, 1, 26)
    LockerCouponFactory(owner=asha, expires_on=next_january)

    coupon = run(asha, "my_locker", language="hi")

    assert f"26 जनवरी {next_january.year}" in facts(coupon.cards[0]).values()


def test_a_pending_cashback_card_says_when_it_is_expected(asha):
    event = reported(asha)

    card = run(asha, "my_cashback").cards[0]

    assert facts(card)["Expected by"] == date_format(event.expected_confirmation)
    assert facts(card)["Shopped on"] == date_format(timezone.localdate(event.occurred_at))


def test_a_confirmed_cashback_card_says_when_it_was_confirmed_not_when_expected(asha):
    event = confirmed_cashback(asha, "150.00")

    result = run(asha, "my_cashback")

    assert facts(result.cards[0])["Confirmed on"] == date_format(
        timezone.localdate(event.confirmed_at)
    )
    assert "Expected by" not in facts(result.cards[0])
    assert result.data["cashback"][0]["expected_by"] == ""
    assert (
        result.data["cashback"][0]["confirmed_on"]
        == timezone.localdate(event.confirmed_at).isoformat()
    )


def test_a_declined_cashback_card_says_it_was_declined_with_no_date_to_wait_for(asha):
    reported(asha, SaleStatus.DECLINED)

    result = run(asha, "my_cashback")

    card = result.cards[0]
    assert card["subtitle"] == "Declined"
    assert facts(card)["Declined"] == (
        "Declined by the store, usually for a cancelled or returned order"
    )
    assert "Expected by" not in facts(card)
    assert result.data["cashback"][0]["expected_by"] == ""


def test_a_cashback_taken_back_after_confirming_says_when(asha):
    event = reported(asha, SaleStatus.CONFIRMED, SaleStatus.DECLINED)

    card = run(asha, "my_cashback").cards[0]

    assert event.reversed_at is not None
    assert date_format(timezone.localdate(event.reversed_at)) in facts(card)["Declined"]
    assert "taken back" in facts(card)["Declined"]


# --- A pending cashback's likely range, learned from its store's (or network's) history ---------

DASH = "\u2013"  # the en dash between a range's dates, as the wallet writes it


def learned_store(name: str, delays: list[int], *, network: str = "admitad"):
    """A store whose past sales were confirmed after `delays` days, with the estimates learned."""
    store = MerchantFactory(name=name, affiliate_network=network)
    confirmations(store, delays, network=network)
    arrival_estimates_refresh()
    return store


def test_a_pending_cashback_shows_its_stores_likely_range_as_the_wallet_does(asha):
    # given: Myntra confirms 10% by day 5 and 80% by day 32; a sale reported 10 days ago
    myntra = learned_store("Myntra", list(range(1, 41)))
    event = reported_on(pending_sale(asha, myntra), timezone.now() - timedelta(days=10))
    reported_day = timezone.localdate(event.created_at)
    start, end = reported_day + timedelta(days=5), reported_day + timedelta(days=32)

    result = run(asha, "my_cashback")

    shown = "MONTH_DAY_FORMAT" if start.year == end.year == timezone.localdate().year else None
    card = facts(result.cards[0])
    assert card["Expected"] == (
        f"Likely {date_format(start, shown)} {DASH} {date_format(end, shown)}"
    )
    assert card["How sure"] == "80% of Myntra's cashback is confirmed by then"
    assert "Expected by" not in card
    # the model's data holds the same range, and "expected by" is its end
    row = result.data["cashback"][0]
    assert row["expected_arrival"] == {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "share": 80,
        "basis": "store",
        "network": "Admitad",
        "late": False,
        "within_days": 32,
    }
    assert row["expected_by"] == end.isoformat()


def test_a_store_without_history_shows_its_networks_range_named_as_the_networks(asha):
    learned_store("Busy", [30] * 25, network="vcommission")
    new = MerchantFactory(name="Bewakoof", affiliate_network="vcommission")
    pending_sale(asha, new, network="vcommission")

    result = run(asha, "my_cashback")

    assert facts(result.cards[0])["How sure"] == (
        "80% of cashback through vCommission, the network that tracks this store, is confirmed "
        "by then"
    )
    row = result.data["cashback"][0]
    assert row["expected_arrival"]["basis"] == "network"
    assert row["expected_arrival"]["network"] == "vCommission"
    assert row["expected_by"] == (timezone.localdate() + timedelta(days=30)).isoformat()


def test_a_pending_cashback_past_its_range_says_it_is_taking_longer_than_usual(asha):
    myntra = learned_store("Myntra", list(range(1, 41)))
    reported_on(pending_sale(asha, myntra), timezone.now() - timedelta(days=33))

    result = run(asha, "my_cashback")

    card = facts(result.cards[0])
    assert card["Expected"] == (
        "Taking longer than usual: most of Myntra's cashback is confirmed within 32 days"
    )
    assert "How sure" not in card
    assert result.data["cashback"][0]["expected_arrival"]["late"] is True


def test_the_range_reads_in_hindi_with_the_months_in_hindi(asha):
    store = learned_store("Myntra", [20] * 10 + [40] * 10)  # from day 20 to day 40
    today = timezone.localdate()
    reported_on(pending_sale(asha, store), ist(today.year, 12, 15, 12))

    card = facts(run(asha, "my_cashback", language="hi").cards[0])

    assert any(f"4 जनवरी {today.year + 1}" in value for value in card.values()), card


def test_a_settled_cashback_has_no_range_even_when_its_store_has_one(asha):
    store = learned_store("Myntra", [10] * 20)
    click = ClickFactory(user=asha, offer__merchant=store, merchant=store)
    sale = sale_for(click)
    cashback_report(sale=sale)
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))

    result = run(asha, "my_cashback")

    assert "Expected" not in facts(result.cards[0])
    assert result.data["cashback"][0]["expected_arrival"] is None
    assert result.data["cashback"][0]["expected_by"] == ""


def test_nothing_learned_keeps_the_date_the_sale_was_reported_with(asha):
    event = reported(asha)

    row = run(asha, "my_cashback").data["cashback"][0]

    assert row["expected_arrival"] is None
    assert row["expected_by"] == event.expected_confirmation.isoformat()


def test_an_answer_repeating_the_range_passes_the_guard(asha):
    myntra = learned_store("Myntra", list(range(1, 41)))
    event = reported_on(pending_sale(asha, myntra), timezone.now() - timedelta(days=10))
    result = run(asha, "my_cashback")
    card = facts(result.cards[0])

    answer = (
        f"Your {format_inr(event.cashback)} from Myntra is pending. {card['Expected']}: "
        f"{card['How sure']}."
    )

    assert answer_problems(answer, [result.data]) == []


# --- An offer's discount, as its card on the site says it ----------------------------------------


@pytest.mark.parametrize(
    ("discount_type", "value", "label"),
    [
        (DiscountType.PERCENTAGE, Decimal("12.50"), "12.5% off"),
        (DiscountType.FIXED, Decimal("1500"), "₹1,500.00 off"),
        (DiscountType.BOGO, None, "Buy 1 Get 1"),
        (DiscountType.FREE_SHIPPING, None, "Free delivery"),
        (DiscountType.PERCENTAGE, None, "Deal"),
    ],
)
def test_an_offer_cards_discount_reads_as_the_sites_offer_card(asha, discount_type, value, label):
    offer = OfferFactory(discount_type=discount_type, discount_value=value)

    result = run(asha, "search_offers")

    assert facts(result.cards[0])["Discount"] == label == discount_badge(offer)
    assert result.data["offers"][0]["discount"] == label
