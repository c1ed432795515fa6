"""What the cards say to the shopper: dates as the site's pages write them (in the shopper's
language), and a cashback's card saying where it stands (pending, confirmed or declined)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from marketplace.tests.factories import LockerCouponFactory
from offers.tests.factories import ClickFactory, OfferFactory
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.tests.factories import confirmed_cashback, sale_for, with_status

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
