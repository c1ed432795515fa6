"""The acting tools: one "action" card whose button does what the card says on the real page,
nothing written until the shopper presses it, and nothing offered on another shopper's
coupon or on something that does not exist."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import VariantFactory, stock
from commerce.models import CartLine
from marketplace.models import CouponStatus, Exchange, Listing
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import CodeStatus, CouponCode
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import OfferFactory

from .conftest import assert_none_shown, run

pytestmark = pytest.mark.django_db


def run_reading_only(user, name, arguments):
    """Run the tool and check it only read: no INSERT, UPDATE or DELETE reached the database."""
    with CaptureQueriesContext(connection) as captured:
        result = run(user, name, arguments)
    writes = [
        query["sql"]
        for query in captured
        if not query["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert writes == []
    return result


def only_action(result) -> dict:
    assert result.data["done"] is False and result.data["needs_click"] is True
    assert [card["type"] for card in result.cards] == ["action"]
    assert len(result.cards[0]["actions"]) == 1
    return result.cards[0]["actions"][0]


# --- claim_code -----------------------------------------------------------------------------


def test_claim_code_offers_the_claim_button_and_claims_nothing(asha):
    book = book_with_codes(2)

    result = run_reading_only(asha, "claim_code", {"offer": str(book.offer.public_id)})

    button = only_action(result)
    assert button["method"] == "post"
    assert button["url"] == f"/offers/{book.offer.public_id}/claim/"
    assert set(button["fields"]) == {"idempotency_key"}
    assert not CouponCode.objects.filter(holder__isnull=False).exists()
    assert_none_shown(result, f"C{book.pk}X00001", f"C{book.pk}X00002")


def test_the_claim_button_claims_one_code_when_pressed(client, asha):
    book = book_with_codes(2)
    button = only_action(run(asha, "claim_code", {"offer": str(book.offer.public_id)}))
    client.force_login(asha)

    client.post(button["url"], button["fields"])
    client.post(button["url"], button["fields"])  # a double click

    assert CouponCode.objects.filter(holder=asha, status=CodeStatus.ASSIGNED).count() == 1


@pytest.mark.parametrize(
    "offer",
    ["not-a-uuid", "00000000-0000-0000-0000-000000000000"],
)
def test_claim_code_refuses_what_is_not_an_offer(asha, offer):
    result = run(asha, "claim_code", {"offer": offer})

    assert result.data["error"] and result.cards == []


def test_claim_code_refuses_a_deal_and_an_offer_with_no_codes_left(asha):
    deal = OfferFactory()
    empty = book_with_codes(0)

    for offer in (deal, empty.offer):
        result = run(asha, "claim_code", {"offer": str(offer.public_id)})
        assert result.data["error"] and result.cards == []


def test_claim_code_needs_an_offer(asha):
    assert "offer" in run(asha, "claim_code", {}).data["error"]


# --- add_gift_card --------------------------------------------------------------------------


def test_add_gift_card_shows_the_total_and_adds_nothing(asha):
    variant = VariantFactory(sku="amazon-500")
    stock(variant, 3, prefix="AMZSECRET")

    result = run_reading_only(asha, "add_gift_card", {"sku": "amazon-500", "quantity": 2})

    button = only_action(result)
    assert button == {
        "label": "Add to cart",
        "method": "post",
        "url": f"/gift-cards/{variant.product.slug}/",
        "fields": {"sku": "amazon-500", "quantity": "2"},
    }
    assert result.data["total"] == "₹980.00"
    assert not CartLine.objects.exists()
    assert_none_shown(result, "AMZSECRET")


def test_the_add_to_cart_button_adds_the_card_when_pressed(client, asha):
    variant = VariantFactory(sku="amazon-500")
    stock(variant, 3)
    button = only_action(run(asha, "add_gift_card", {"sku": "amazon-500", "quantity": 2}))
    client.force_login(asha)

    client.post(button["url"], button["fields"])

    line = CartLine.objects.get()
    assert (line.variant, line.quantity) == (variant, 2)


@pytest.mark.parametrize(
    ("arguments", "in_stock"),
    [
        ({"sku": "no-such-card"}, 3),
        ({"sku": "amazon-500", "quantity": 6}, 10),  # above the card's 5 per order
        ({"sku": "amazon-500", "quantity": 4}, 3),  # more than are left
        ({"sku": "amazon-500", "quantity": 1}, 0),
        ({"sku": "amazon-500", "quantity": 0}, 3),
    ],
)
def test_add_gift_card_refuses_what_cannot_be_bought(asha, arguments, in_stock):
    variant = VariantFactory(sku="amazon-500")
    stock(variant, in_stock)

    result = run(asha, "add_gift_card", arguments)

    assert result.data["error"] and result.cards == []


# --- list_coupon ----------------------------------------------------------------------------


def test_list_coupon_opens_the_sell_page_for_the_shoppers_own_coupon(client, asha):
    coupon = LockerCouponFactory(owner=asha, code="ASHA-SELL-1")

    result = run_reading_only(asha, "list_coupon", {"coupon": str(coupon.public_id), "price": 150})

    button = only_action(result)
    assert (button["method"], button["url"]) == (
        "get",
        f"/marketplace/sell/{coupon.public_id}/?price=150.00",
    )
    assert result.data["suggested_price"] == "₹150.00"
    assert result.cards[0]["subtitle"] == "The sell page opens at this price; you confirm it there."
    assert not Listing.objects.exists()
    assert_none_shown(result, "ASHA-SELL-1")
    client.force_login(asha)
    # the sell page opens at the shopper's figure, for them to confirm
    page = client.get(button["url"])
    assert page.status_code == 200
    assert 'value="150.00"' in page.content.decode()


def test_list_coupon_does_not_find_another_shoppers_coupon(asha, ravi):
    theirs = LockerCouponFactory(owner=ravi, code="RAVI-SELL-2")

    result = run(asha, "list_coupon", {"coupon": str(theirs.public_id)})
    unknown = run(asha, "list_coupon", {"coupon": "00000000-0000-0000-0000-000000000000"})

    # The same answer as for a coupon that does not exist: ids are not probed.
    assert result.data == unknown.data
    assert result.cards == []
    assert_none_shown(result, "RAVI-SELL-2", "Ravi")


def test_list_coupon_refuses_a_price_above_the_worth_and_a_used_coupon(asha):
    coupon = LockerCouponFactory(owner=asha)
    used = LockerCouponFactory(owner=asha, status=CouponStatus.USED)

    too_dear = run(asha, "list_coupon", {"coupon": str(coupon.public_id), "price": 250})
    spent = run(asha, "list_coupon", {"coupon": str(used.public_id)})

    assert "₹200.00" in too_dear.data["error"]
    assert spent.data["error"]
    assert too_dear.cards == spent.cards == []


def test_list_coupon_refuses_a_coupon_without_a_worth(asha):
    coupon = LockerCouponFactory(owner=asha, worth=None)

    assert run(asha, "list_coupon", {"coupon": str(coupon.public_id)}).data["error"]


# --- start_swap -----------------------------------------------------------------------------


def test_start_swap_opens_the_swap_form_for_another_shoppers_listing(client, asha, ravi):
    listing = ListingFactory(coupon__owner=ravi, coupon__code="RAVI-SWAP-3", swap_welcome=True)
    LockerCouponFactory(owner=asha)

    result = run_reading_only(asha, "start_swap", {"coupon": str(listing.public_id)})

    button = only_action(result)
    assert (button["method"], button["url"]) == (
        "get",
        f"/marketplace/swaps/new/{listing.public_id}/",
    )
    assert result.data["price"] == "₹120.00"
    assert not Exchange.objects.exists()
    assert_none_shown(result, "RAVI-SWAP-3", "Ravi", "ravi@example.in")
    client.force_login(asha)
    assert client.get(button["url"]).status_code == 200


def test_start_swap_refuses_the_shoppers_own_listing_and_unknown_ones(asha):
    mine = ListingFactory(coupon__owner=asha)

    own = run(asha, "start_swap", {"coupon": str(mine.public_id)})
    unknown = run(asha, "start_swap", {"coupon": "00000000-0000-0000-0000-000000000000"})
    garbled = run(asha, "start_swap", {"coupon": "../../admin"})

    for result in (own, unknown, garbled):
        assert result.data["error"] and result.cards == []


def test_acting_tools_are_marked_as_acting():
    from assistant.tools import tools_all

    acting = {tool.name for tool in tools_all() if tool.acts}

    assert acting == {"claim_code", "add_gift_card", "list_coupon", "start_swap"}


def test_prices_are_decimal_rupees(asha):
    coupon = LockerCouponFactory(owner=asha, worth=Decimal("99.99"))

    result = run(asha, "list_coupon", {"coupon": str(coupon.public_id), "price": 99.99})

    assert result.data["suggested_price"] == "₹99.99"
