"""What the shopper is offered for things they already have or own: a unique-code offer they
hold as many codes of as one shopper may shows "you hold it" with a link to My codes (not a
"Claim code" that would only refuse), and their own marketplace listings are never offered to
them to buy or swap for."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from assistant.tools.cards import listing_card
from catalog.tests.factories import MerchantFactory
from marketplace.selectors import listings_browse
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import CodeStatus, CouponCode
from offers.selectors import offers_at_claim_limit
from offers.tests.books.factories import book_with_codes

from .conftest import run
from .test_reading import queries_for

pytestmark = pytest.mark.django_db

MY_CODES = reverse("my_codes")


def claim_through_the_page(client, user, book) -> None:
    client.force_login(user)
    client.post(reverse("offer_claim", args=[book.offer.public_id]))


def labels(card: dict) -> list[str]:
    return [button["label"] for button in card["actions"]]


# --- Codes already held ------------------------------------------------------------------


def test_an_offer_whose_codes_the_shopper_holds_links_to_my_codes(client, asha, ravi):
    book = book_with_codes(3)
    claim_through_the_page(client, asha, book)

    mine = run(asha, "search_offers", {"limit": 10})
    theirs = run(ravi, "search_offers", {"limit": 10})

    card = mine.cards[0]
    assert labels(card) == ["Open My codes"]
    assert card["actions"][0]["url"] == MY_CODES
    assert ["Your code", "You already hold it: it is in My codes"] in card["facts"]
    assert mine.data["offers"][0]["claimable"] is False
    assert mine.data["offers"][0]["you_hold_a_code"] is True
    # Another shopper may still claim one.
    assert labels(theirs.cards[0]) == ["Claim code"]
    assert theirs.data["offers"][0]["claimable"] is True
    # The link lands where the code is.
    assert f"C{book.pk}X00001" in client.get(card["actions"][0]["url"]).content.decode()


def test_a_shopper_below_the_limit_is_still_offered_the_claim(client, asha):
    book = book_with_codes(3, per_user_limit=2)
    claim_through_the_page(client, asha, book)

    result = run(asha, "search_offers", {"limit": 10})

    assert labels(result.cards[0]) == ["Claim code"]
    assert result.data["offers"][0]["you_hold_a_code"] is False


def test_claim_code_tells_a_shopper_who_holds_the_codes_where_they_are(client, asha):
    book = book_with_codes(3)
    claim_through_the_page(client, asha, book)

    result = run(asha, "claim_code", {"offer": str(book.offer.public_id)})

    assert "My codes" in result.data["error"] and result.cards == []


def test_the_cart_s_pay_option_shows_the_held_code_instead_of_a_claim(client, asha, ravi):
    nike = MerchantFactory(name="Nike", slug="nike")
    book = book_with_codes(3, offer__merchant=nike, offer__discount_value=Decimal("200.00"))
    claim_through_the_page(client, asha, book)
    items = [{"name": "Shoes", "price": 2000, "quantity": 1}]

    mine = run(asha, "analyze_cart", {"store": "nike", "items": items})
    theirs = run(ravi, "analyze_cart", {"store": "nike", "items": items})

    def with_offer(result) -> list[dict]:
        return [card for card in result.cards if card["ref"] == str(book.offer.public_id)]

    assert with_offer(mine) and with_offer(theirs)
    for card in with_offer(mine):
        assert "Claim code" not in labels(card) and "Open My codes" in labels(card)
    assert all("Claim code" in labels(card) for card in with_offer(theirs))


def test_offers_at_claim_limit_follows_what_a_claim_would_answer(client, asha):
    full = book_with_codes(3)
    below = book_with_codes(3, per_user_limit=2)
    # A full book and a second active book of the same offer with codes left: the claim
    # takes one from the second.
    spill = book_with_codes(2)
    book_with_codes(2, offer=spill.offer)
    for book in (full, below, spill):
        claim_through_the_page(client, asha, book)
    assert CouponCode.objects.filter(holder=asha, status=CodeStatus.ASSIGNED).count() == 3
    ids = [book.offer.public_id for book in (full, below, spill)]

    assert offers_at_claim_limit(asha, ids) == {str(full.offer.public_id)}
    assert offers_at_claim_limit(asha, []) == set()


def test_search_offers_costs_the_same_queries_for_one_held_offer_as_for_ten(client, asha):
    claim_through_the_page(client, asha, book_with_codes(2))
    one = queries_for(lambda: run(asha, "search_offers", {"limit": 10}))
    for _number in range(9):
        claim_through_the_page(client, asha, book_with_codes(2))

    ten = queries_for(lambda: run(asha, "search_offers", {"limit": 10}))

    assert ten == one


# --- The shopper's own listings -------------------------------------------------------------


def test_marketplace_listings_leave_out_the_shoppers_own(asha, ravi):
    mine = ListingFactory(coupon__owner=asha, swap_welcome=True)
    theirs = ListingFactory(coupon__owner=ravi, swap_welcome=True)

    result = run(asha, "marketplace_listings", {"limit": 10})

    assert [row["ref"] for row in result.data["listings"]] == [str(theirs.public_id)]
    assert [card["ref"] for card in result.cards] == [str(theirs.public_id)]
    assert labels(result.cards[0]) == ["View and buy", "Offer a swap"]
    assert str(mine.public_id) not in repr(result.data) + repr(result.cards)


def test_a_card_of_the_shoppers_own_listing_has_no_buy_or_swap_button(asha):
    ListingFactory(coupon__owner=asha, swap_welcome=True)

    card = listing_card(listings_browse().get(), user=asha)

    assert labels(card) == ["Open your listing"] and card["subtitle"] == "Your listing"


def test_swapping_my_coupon_offers_only_other_shoppers_listings(asha, ravi):
    swiggy = MerchantFactory(name="Swiggy", slug="swiggy")
    LockerCouponFactory(owner=asha, merchant=swiggy, worth=Decimal("100.00"))
    ListingFactory(coupon__owner=asha, coupon__merchant=swiggy, swap_welcome=True)
    theirs = ListingFactory(coupon__owner=ravi, swap_welcome=True)

    listings = run(asha, "marketplace_listings", {"limit": 10})
    swap = run(asha, "start_swap", {"coupon": listings.data["listings"][0]["ref"]})

    assert swap.data["listing"] == str(theirs.public_id)
    assert [card["type"] for card in swap.cards] == ["action"]


def test_the_sell_card_writes_its_expiry_as_the_pages_do(asha):
    coupon = LockerCouponFactory(owner=asha, worth=Decimal("100.00"), expires_on=date(2027, 12, 24))

    result = run(asha, "list_coupon", {"coupon": str(coupon.public_id)})

    assert ["Expires", "24 Dec 2027"] in result.cards[0]["facts"]
    assert "2027-12-24" not in repr(result.cards)


def test_the_wallet_card_says_what_is_available_once(asha):
    card = run(asha, "my_wallet").cards[0]

    assert card["subtitle"] == "₹0.00 available"
    assert "Available" not in dict(card["facts"])
    assert repr(card).count("₹0.00 available") == 1
