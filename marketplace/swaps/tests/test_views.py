"""Swap pages: my swaps (incoming and outgoing), a new swap for a listed coupon, one swap with
its buttons. Another shopper's swap is a 404."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from marketplace.models import CouponStatus, Exchange, ExchangeStatus, LockerCoupon
from marketplace.tests.factories import ListingFactory, LockerCouponFactory

from .helpers import ask

pytestmark = pytest.mark.django_db
SWAPS = "/marketplace/swaps/"


def new_url(listing):
    return f"{SWAPS}new/{listing.coupon.public_id}/"


def swap_url(exchange, action=""):
    return f"{SWAPS}{exchange.public_id}/{action + '/' if action else ''}"


def test_the_lists_are_empty_at_first(client, ravi):
    client.force_login(ravi)

    incoming = client.get(SWAPS).content.decode()
    outgoing = client.get(SWAPS, {"role": "outgoing"}).content.decode()

    assert "No swap offers yet" in incoming
    assert "You haven&#x27;t asked for a swap" in outgoing or "You haven't asked" in outgoing


def test_the_owner_sees_the_offer_with_its_buttons_and_the_requester_can_cancel(
    client, asha, ravi, listing, offered
):
    exchange = ask(ravi, listing, offered, cash="20")

    client.force_login(asha)
    incoming = client.get(SWAPS).content.decode()
    client.force_login(ravi)
    outgoing = client.get(SWAPS, {"role": "outgoing"}).content.decode()

    assert swap_url(exchange, "accept") in incoming
    assert swap_url(exchange, "reject") in incoming
    assert "Expires in" in incoming
    assert swap_url(exchange, "cancel") in outgoing
    assert swap_url(exchange, "accept") not in outgoing


def test_the_list_filters_by_status(client, asha, ravi, listing, offered):
    ask(ravi, listing, offered)
    client.force_login(asha)

    assert len(client.get(SWAPS, {"status": "accepted"}).context["page"].object_list) == 0
    assert len(client.get(SWAPS, {"status": "pending"}).context["page"].object_list) == 1


@pytest.mark.parametrize("swaps", [1, 20])
def test_the_list_runs_the_same_queries_whatever_its_length(
    client, asha, swaps, django_assert_num_queries
):
    for _ in range(swaps):
        requester = UserFactory()
        ask(requester, ListingFactory(coupon__owner=asha), LockerCouponFactory(owner=requester))
    client.force_login(asha)

    # session, user, then the count and the page with both coupons, users and listing joined
    with django_assert_num_queries(4):
        response = client.get(SWAPS)

    assert len(response.context["page"].object_list) == swaps


def test_a_new_swap_shows_what_you_get_and_sends_the_offer(client, asha, ravi, listing, offered):
    client.force_login(ravi)

    form = client.get(new_url(listing))
    sent = client.post(
        new_url(listing),
        {"offered": str(offered.public_id), "cash": "30", "message": "Deal?"},
    )

    assert form.status_code == 200
    assert listing.display_title in form.content.decode()
    assert listing.coupon.code not in form.content.decode()
    exchange = Exchange.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == swap_url(exchange)
    assert (exchange.offered, exchange.cash, exchange.message) == (
        offered,
        Decimal("30.00"),
        "Deal?",
    )


def test_a_new_swap_shows_field_errors(client, ravi, listing, offered):
    client.force_login(ravi)

    response = client.post(new_url(listing), {"offered": str(offered.public_id), "cash": "900"})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Exchange.objects.exists()


def test_a_new_swap_without_coupons_to_offer_says_so(client, listing):
    client.force_login(UserFactory())

    response = client.get(new_url(listing))

    assert "No coupon to offer" in response.content.decode()


def test_a_coupon_not_listed_has_no_swap_page(client, ravi):
    client.force_login(ravi)

    response = client.get(f"{SWAPS}new/{LockerCouponFactory().public_id}/")

    assert response.status_code == 404


def test_the_owner_accepts_on_the_swap_page(client, asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    client.force_login(asha)

    page = client.get(swap_url(exchange)).content.decode()
    response = client.post(swap_url(exchange, "accept"), follow=True)

    assert "Accept swap" in page
    assert "Swap done" in response.content.decode()
    received = LockerCoupon.objects.get(owner=asha, status=CouponStatus.ACTIVE)
    assert f"/locker/{received.public_id}/" in response.content.decode()
    assert LockerCoupon.objects.get(owner=asha, status=CouponStatus.ACTIVE).code == offered.code


def test_the_owner_declines_and_the_requester_cancels_on_the_pages(
    client, asha, ravi, listing, offered
):
    declined = ask(ravi, listing, offered)
    cancelled = ask(ravi, listing, LockerCouponFactory(owner=ravi))

    client.force_login(asha)
    client.post(swap_url(declined, "reject"))
    client.force_login(ravi)
    client.post(swap_url(cancelled, "cancel"))
    refused = client.post(swap_url(declined, "cancel"), follow=True)

    declined.refresh_from_db()
    cancelled.refresh_from_db()
    assert declined.status == ExchangeStatus.REJECTED
    assert cancelled.status == ExchangeStatus.CANCELLED
    assert "already been answered" in refused.content.decode()


def test_someone_elses_swap_is_not_found(client, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    client.force_login(UserFactory())

    assert client.get(swap_url(exchange)).status_code == 404
    assert client.post(swap_url(exchange, "accept")).status_code == 404
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.PENDING


def test_the_pages_ask_to_sign_in(client, listing):
    assert client.get(SWAPS).status_code == 302
    assert client.get(new_url(listing)).status_code == 302


def test_the_new_swap_card_says_what_the_coupon_gives_and_does_not_fix_its_height(
    client, asha, ravi
):
    listing = ListingFactory(
        coupon__owner=asha,
        coupon__benefit="percent",
        coupon__benefit_value=Decimal("10"),
        coupon__max_discount=Decimal("5000"),
        coupon__min_order=Decimal("100"),
    )
    client.force_login(ravi)

    html = client.get(new_url(listing)).content.decode()

    assert "10% off" in html and "(up to ₹5,000.00)" in html and "₹100.00 or more" in html
    assert "cz-card p-3 h-100" not in html  # the card grows with its text on a phone


def test_the_new_swap_form_leaves_out_coupons_the_swap_would_refuse(client, asha, ravi, listing):
    from marketplace.models import Purchase, PurchaseStatus, Source
    from offers.models import CodeStatus, CouponBook, CouponCode
    from offers.tests.factories import OfferFactory

    fine = LockerCouponFactory(owner=ravi, code="FINE-1")
    held = LockerCouponFactory(owner=ravi, code="BOTHHAVE")
    LockerCouponFactory(owner=asha, code="BOTHHAVE")
    book = CouponBook.objects.create(offer=OfferFactory(kind="unique_code"), name="No swaps")
    book_code = CouponCode.objects.create(
        book=book, code="BOOK-1", status=CodeStatus.ASSIGNED, holder=ravi, claim_slot=1
    )
    from_book = LockerCouponFactory(owner=ravi, book_code=book_code, source=Source.CLAIMED)
    bought = LockerCouponFactory(owner=ravi, source=Source.BOUGHT)
    sold = ListingFactory(status="sold")
    Purchase.objects.create(
        number="MP-SWAP01",
        listing=sold,
        buyer=ravi,
        seller=sold.seller,
        buyer_coupon=bought,
        price=sold.price,
        fee=sold.fee,
        method="wallet",
        status=PurchaseStatus.PAID,
        idempotency_key="k",
        pay_by=timezone.now(),
    )
    client.force_login(ravi)

    offered = list(client.get(new_url(listing)).context["form"].fields["offered"].queryset)

    assert fine in offered
    assert held not in offered and from_book not in offered and bought not in offered
