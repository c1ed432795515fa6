"""The marketplace pages: browse, a listing, selling and the seller's listings."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, MerchantFactory
from marketplace.models import Benefit, CouponStatus, Listing, ListingStatus, Suspension
from marketplace.tests.factories import ListingFactory, LockerCouponFactory

pytestmark = pytest.mark.django_db

BROWSE = reverse("marketplace:listings")


def _listing(**fields):
    coupon_fields = {
        key.removeprefix("coupon__"): fields.pop(key) for key in list(fields) if "coupon__" in key
    }
    coupon = LockerCouponFactory(status=CouponStatus.LISTED, **coupon_fields)
    return ListingFactory(coupon=coupon, category=coupon.category, withdraw_at=None, **fields)


def test_browse_shows_live_listings_with_title_price_and_saving_never_the_code(client):
    listing = _listing(price=D("120"))
    ListingFactory(status=ListingStatus.WITHDRAWN)

    response = client.get(BROWSE)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="listing-card"') == 1
    assert f"₹200 off at {listing.merchant.name}" in html
    assert "₹120.00" in html and "₹80.00" in html  # price and what the buyer gains
    assert listing.coupon.code not in html


def test_browse_empty_state(client):
    response = client.get(BROWSE)
    assert "No coupons for sale right now" in response.content.decode()


def test_browse_filters_by_store_category_price_discount_expiry_and_verified(client):
    fashion = CategoryFactory(name="Fashion")
    myntra = MerchantFactory(name="Myntra")
    wanted = _listing(
        coupon__merchant=myntra,
        coupon__category=fashion,
        coupon__expires_on=timezone.localdate() + timedelta(days=3),
        price=D("90"),
        verified=True,
    )
    _listing(coupon__merchant=myntra, coupon__category=fashion, price=D("90"))  # not verified
    _listing(coupon__category=fashion, price=D("90"), verified=True)  # another store
    _listing(coupon__merchant=myntra, price=D("90"), verified=True)  # no category

    query = (
        f"?store={myntra.slug}&category={fashion.slug}&min_price=50&max_price=100"
        "&min_discount=150&expiring=on&verified=on"
    )
    response = client.get(BROWSE + query)

    html = response.content.decode()
    assert html.count('data-testid="listing-card"') == 1
    assert str(wanted.public_id) in html
    assert "Verified only" in html  # the chip that removes the filter


def test_browse_sorts_by_saving(client):
    small = _listing(price=D("190"))
    big = _listing(price=D("20"))

    html = client.get(BROWSE + "?sort=saving").content.decode()

    assert html.index(str(big.public_id)) < html.index(str(small.public_id))


def test_browse_reports_a_bad_filter_and_keeps_the_rest(client):
    _listing()
    response = client.get(BROWSE + "?min_price=abc&max_price=-1&sort=bogus")
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html
    assert html.count('data-testid="listing-card"') == 1


def test_browse_pages_twenty_at_a_time_with_a_fixed_query_count(client):
    # Categories too: their names are translated columns, easily read one row at a time.
    _listing(coupon__category=CategoryFactory())
    with CaptureQueriesContext(connection) as one:
        client.get(BROWSE)
    for _ in range(24):
        _listing(
            coupon__category=CategoryFactory(),
            coupon__benefit=Benefit.PERCENT,
            coupon__benefit_value=D("10"),
            coupon__max_discount=D("200"),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(BROWSE)
    assert len(many) == len(one)
    assert response.content.decode().count('data-testid="listing-card"') == 20
    assert client.get(BROWSE + "?page=2").content.decode().count('data-testid="listing-card"') == 5


def test_listing_page_shows_the_seller_the_dispute_window_and_a_buy_form(client):
    listing = _listing(verified=True)
    buyer = UserFactory()
    client.force_login(buyer)

    response = client.get(reverse("marketplace:listing", args=[listing.public_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Verified resale" in html and "24 hours" in html
    assert "No ratings yet" in html and "0 sales" in html
    assert reverse("marketplace:buy", args=[listing.public_id]) in html
    assert reverse("marketplace:swap-new", args=[listing.coupon.public_id]) in html
    assert "balance ₹0.00" in html
    assert listing.coupon.code not in html


def test_listing_page_unverified_has_the_longer_window_and_asks_a_visitor_to_sign_in(client):
    listing = _listing()
    html = client.get(reverse("marketplace:listing", args=[listing.public_id])).content.decode()
    assert "72 hours" in html and "Sign in to buy" in html


def test_a_listing_no_longer_for_sale_is_404(client):
    listing = ListingFactory(status=ListingStatus.SOLD)
    assert client.get(reverse("marketplace:listing", args=[listing.public_id])).status_code == 404


def _sell_url(coupon):
    return reverse("marketplace:listing-new", args=[coupon.public_id])


def test_sell_page_shows_fee_and_payout_before_listing(client):
    coupon = LockerCouponFactory()
    client.force_login(coupon.owner)

    html = client.get(_sell_url(coupon)).content.decode()
    assert "₹120.00" in html and "₹6.00" in html and "₹114.00" in html

    html = client.post(_sell_url(coupon), {"price": "150", "update": "1"}).content.decode()
    assert "₹7.50" in html and "₹142.50" in html
    assert not Listing.objects.exists()


def test_sell_page_opens_at_the_price_a_link_asks_for_if_it_may_be_listed_at_it(client):
    coupon = LockerCouponFactory()  # worth ₹200.00
    client.force_login(coupon.owner)

    # the assistant's sell card carries the shopper's own figure
    html = client.get(_sell_url(coupon) + "?price=80").content.decode()
    assert "₹80.00" in html and "₹4.00" in html and "₹76.00" in html
    # above the coupon's worth, or not a price: the usual suggestion (60% of its worth)
    for asked in ("900", "abc", "-5", "0"):
        html = client.get(_sell_url(coupon) + f"?price={asked}").content.decode()
        assert "₹120.00" in html and "₹114.00" in html, asked
    assert not Listing.objects.exists()


def test_selling_lists_the_coupon_and_shows_its_page(client):
    coupon = LockerCouponFactory()
    client.force_login(coupon.owner)

    response = client.post(_sell_url(coupon), {"price": "150", "swap_welcome": "on", "list": "1"})

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:listing", args=[listing.public_id])
    assert listing.swap_welcome and listing.price == D("150.00")


def test_sell_page_shows_a_price_above_worth_as_a_field_error(client):
    coupon = LockerCouponFactory()
    client.force_login(coupon.owner)
    response = client.post(_sell_url(coupon), {"price": "250", "list": "1"})
    assert "The price can&#x27;t be more than the coupon saves." in response.content.decode()
    assert not Listing.objects.exists()


def test_sell_page_shows_a_refusal_from_the_service_as_a_form_error(client):
    coupon = LockerCouponFactory()
    Suspension.objects.create(
        user=coupon.owner, until=timezone.now() + timedelta(days=1), reason="disputes"
    )
    client.force_login(coupon.owner)
    response = client.post(_sell_url(coupon), {"price": "100", "list": "1"})
    assert 'data-testid="sell-error"' in response.content.decode()
    assert not Listing.objects.exists()


def test_sell_page_of_a_coupon_without_worth_explains_why(client):
    coupon = LockerCouponFactory(benefit=Benefit.BOGO, benefit_value=None, worth=None)
    client.force_login(coupon.owner)
    assert 'data-testid="cannot-list"' in client.get(_sell_url(coupon)).content.decode()


def test_sell_page_of_someone_elses_coupon_is_404(client):
    client.force_login(UserFactory())
    assert client.get(_sell_url(LockerCouponFactory())).status_code == 404


def test_sell_page_needs_sign_in(client):
    response = client.get(_sell_url(LockerCouponFactory()))
    assert response.status_code == 302 and "login" in response["Location"]


def test_selling_page_lists_the_sellers_listings_and_withdraws_one(client):
    listing = _listing()
    ListingFactory()  # someone else's
    client.force_login(listing.seller)

    html = client.get(reverse("marketplace:selling")).content.decode()
    assert html.count('data-testid="my-listing"') == 1

    response = client.post(reverse("marketplace:listing-withdraw", args=[listing.public_id]))
    listing.refresh_from_db()
    assert response.status_code == 302 and listing.status == ListingStatus.WITHDRAWN


def test_withdrawing_someone_elses_listing_is_404(client):
    client.force_login(UserFactory())
    listing = ListingFactory()
    response = client.post(reverse("marketplace:listing-withdraw", args=[listing.public_id]))
    assert response.status_code == 404


def test_selling_page_empty_state(client):
    client.force_login(UserFactory())
    assert "You have no listings yet" in client.get(reverse("marketplace:selling")).content.decode()


def test_listing_page_offers_no_swap_for_a_code_from_a_book_that_forbids_swaps(client):
    from offers.models import CodeStatus, CouponBook, CouponCode
    from offers.tests.factories import OfferFactory

    seller = UserFactory()
    book = CouponBook.objects.create(offer=OfferFactory(kind="unique_code"), name="No swaps")
    code = CouponCode.objects.create(
        book=book, code="BOOK-9", status=CodeStatus.ASSIGNED, holder=seller, claim_slot=1
    )
    listing = _listing(coupon__owner=seller, coupon__book_code=code)
    open_listing = _listing()
    client.force_login(UserFactory())

    assert (
        "Offer a swap"
        not in client.get(reverse("marketplace:listing", args=[listing.public_id])).content.decode()
    )
    assert (
        "Offer a swap"
        in client.get(
            reverse("marketplace:listing", args=[open_listing.public_id])
        ).content.decode()
    )


def test_listing_page_shows_nothing_swap_related_on_your_own_listing(client):
    listing = _listing()
    client.force_login(listing.seller)

    html = client.get(reverse("marketplace:listing", args=[listing.public_id])).content.decode()

    assert "Offer a swap" not in html and "/marketplace/swaps/new/" not in html
    assert "welcomes swaps" not in html and "offer one of your coupons" not in html


def _sale(listing, status, number):
    from marketplace.models import Purchase

    listing.status = ListingStatus.SOLD
    listing.save(update_fields=["status"])
    return Purchase.objects.create(
        number=number,
        listing=listing,
        buyer=UserFactory(),
        seller=listing.seller,
        price=listing.price,
        fee=listing.fee,
        method="wallet",
        status=status,
        idempotency_key=number,
        pay_by=timezone.now(),
        paid_at=timezone.now(),
    )


def test_selling_page_says_a_refunded_sale_went_back_to_the_buyer_and_links_the_sale(client):
    seller = UserFactory()
    refunded = _listing(coupon__owner=seller, price=D("120"))
    _sale(refunded, "refunded", "MP-REFUND")
    client.force_login(seller)

    html = client.get(reverse("marketplace:selling")).content.decode()

    assert "Refunded to the buyer" in html
    assert "you get" not in html
    assert reverse("marketplace:purchase", args=["MP-REFUND"]) in html


def test_selling_page_shows_a_sales_status_with_a_link_and_what_the_seller_gets(client):
    seller = UserFactory()
    sold = _listing(coupon__owner=seller, price=D("120"), fee=D("6"))
    _sale(sold, "paid", "MP-PAID01")
    client.force_login(seller)

    html = client.get(reverse("marketplace:selling")).content.decode()

    assert "you get ₹114.00" in html
    assert reverse("marketplace:purchase", args=["MP-PAID01"]) in html
    assert "Paid, in the dispute window" in html


def test_selling_page_does_not_promise_money_for_a_withdrawn_or_expired_listing(client):
    seller = UserFactory()
    _listing(coupon__owner=seller, status=ListingStatus.WITHDRAWN)
    _listing(coupon__owner=seller, status=ListingStatus.EXPIRED)
    client.force_login(seller)

    html = client.get(reverse("marketplace:selling")).content.decode()

    assert html.count('data-testid="my-listing"') == 2
    assert "you get" not in html


def test_selling_page_has_the_same_query_count_for_one_listing_and_twenty(client):
    seller = UserFactory()
    client.force_login(seller)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("marketplace:selling")).status_code == 200
        return len(queries)

    _sale(_listing(coupon__owner=seller), "released", "MP-Q00000")
    one = queries_for_page()
    for index in range(1, 20):
        listing = _listing(coupon__owner=seller)
        if index % 2:
            _sale(listing, "refunded", f"MP-Q{index:05d}")

    assert queries_for_page() == one


def test_browse_marks_the_viewers_own_listings_yours(client):
    mine = _listing()
    _listing()
    client.force_login(mine.seller)

    html = client.get(BROWSE).content.decode()

    assert html.count('data-testid="listing-card"') == 2
    assert html.count('data-testid="yours"') == 1 and ">Yours<" in html


def test_browse_shows_no_yours_badge_to_a_visitor(client):
    _listing()
    assert 'data-testid="yours"' not in client.get(BROWSE).content.decode()
