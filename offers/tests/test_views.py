"""Offer pages: /coupons/ with its filters and sorts, category and merchant pages, search,
autocomplete, the home page's rails and the offer card's buttons."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import CashbackKind
from catalog.tests.factories import CategoryFactory, MerchantFactory
from coupzii.core import counters
from offers import selectors
from offers import views as page_views
from offers.models import BookStatus, DiscountType, OfferKind, OfferStatus
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db


def _html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _titles(html: str) -> list[str]:
    """Offer titles in the order the cards appear."""
    return re.findall(r'<h3 class="cz-offer-title" id="offer-title-[^"]+">([^<]+)</h3>', html)


def _query_count(client, url) -> int:
    cache.clear()  # measure the page's own queries, not a cache hit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _local_day(days: int, hour: int = 12) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


# --- /coupons/: filters ----------------------------------------------------------------------


def test_coupons_lists_live_offers_only(client):
    OfferFactory(title="Live deal")
    OfferFactory(title="Paused deal", status=OfferStatus.PAUSED)
    OfferFactory(title="Expired deal", ends_at=timezone.now() - timedelta(hours=1))
    OfferFactory(title="Closed store deal", merchant=MerchantFactory(is_active=False))

    titles = _titles(_html(client, "/coupons/"))

    assert titles == ["Live deal"]


def test_coupons_filter_by_kind_keeps_only_codes(client):
    OfferFactory(title="A code", kind=OfferKind.CODE)
    OfferFactory(title="A deal", kind=OfferKind.DEAL)

    html = _html(client, "/coupons/", kind="code")

    assert _titles(html) == ["A code"]
    assert '<option value="code" selected>' in html
    assert "Coupon codes <span" in html  # the chip that removes the filter


def test_coupons_filter_by_discount_type(client):
    OfferFactory(title="BOGO pizza", discount_type=DiscountType.BOGO, discount_value=None)
    OfferFactory(title="10% off")

    html = _html(client, "/coupons/", discount_type="bogo")

    assert _titles(html) == ["BOGO pizza"]


def test_coupons_filter_by_minimum_discount_counts_percent_and_rupees_alike(client):
    OfferFactory(title="50% off", discount_value=Decimal("50"))
    OfferFactory(title="₹200 off", discount_type=DiscountType.FIXED, discount_value=Decimal("200"))
    OfferFactory(title="10% off", discount_value=Decimal("10"))
    OfferFactory(title="Free delivery", discount_type=DiscountType.FREE_SHIPPING)

    html = _html(client, "/coupons/", min_discount="30")

    assert sorted(_titles(html)) == ["50% off", "₹200 off"]


def test_coupons_filter_has_cashback_hides_stores_that_pay_none(client):
    OfferFactory(title="With cashback")
    no_cashback = MerchantFactory(cashback_kind=CashbackKind.NONE, cashback_value=0)
    OfferFactory(title="Without cashback", merchant=no_cashback)
    OfferFactory(
        title="Boosted on its own",
        merchant=no_cashback,
        cashback_kind=CashbackKind.FLAT,
        cashback_value=Decimal("50"),
    )

    html = _html(client, "/coupons/", has_cashback="on")

    assert sorted(_titles(html)) == ["Boosted on its own", "With cashback"]


def test_coupons_filter_by_merchant_and_category_with_its_children(client):
    fashion = CategoryFactory(name="Fashion")
    footwear = CategoryFactory(name="Footwear", parent=fashion)
    puma = MerchantFactory(name="Puma", categories=[footwear])
    OfferFactory(title="Puma sneakers", merchant=puma, category=footwear)
    OfferFactory(title="Myntra tees", category=fashion)
    OfferFactory(title="Pizza", category=CategoryFactory(name="Food"))

    by_category = _titles(_html(client, "/coupons/", category="fashion"))
    by_merchant = _titles(_html(client, "/coupons/", merchant="puma"))

    assert sorted(by_category) == ["Myntra tees", "Puma sneakers"]
    assert by_merchant == ["Puma sneakers"]


def test_coupons_ignores_an_invalid_filter_reports_it_and_applies_the_rest(client):
    OfferFactory(title="A code", kind=OfferKind.CODE)
    OfferFactory(title="A BOGO code", kind=OfferKind.CODE, discount_type=DiscountType.BOGO)

    html = _html(client, "/coupons/", kind="code", discount_type="nonsense", min_discount="-5")

    assert sorted(_titles(html)) == ["A BOGO code", "A code"]
    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert "Select a valid choice" in html


def test_coupons_with_no_match_offers_to_clear_the_filters(client):
    OfferFactory(kind=OfferKind.DEAL)

    html = _html(client, "/coupons/", kind="unique_code")

    assert "No offers match these filters" in html
    assert "Clear all filters" in html


def test_coupons_with_no_offers_at_all_says_so(client):
    html = _html(client, "/coupons/")

    assert "No live offers right now" in html


def test_coupons_removing_a_filter_chip_keeps_the_others(client):
    OfferFactory(kind=OfferKind.CODE, discount_type=DiscountType.BOGO)

    html = _html(client, "/coupons/", kind="code", discount_type="bogo", sort="newest")

    # the "Coupon codes" chip links to the same list without kind
    assert 'href="?discount_type=bogo&amp;sort=newest"' in html


# --- /coupons/: sorts -----------------------------------------------------------------------


def test_coupons_sort_newest_puts_the_latest_start_first(client):
    OfferFactory(title="Old", starts_at=timezone.now() - timedelta(days=9))
    OfferFactory(title="New", starts_at=timezone.now() - timedelta(hours=1))

    html = _html(client, "/coupons/", sort="newest")

    assert _titles(html) == ["New", "Old"]
    assert 'class="cz-sort active" href="?sort=newest"' in html


def test_coupons_sort_ending_soonest_first_without_offers_that_never_end(client):
    OfferFactory(title="Ends next week", ends_at=timezone.now() + timedelta(days=7))
    OfferFactory(title="Ends tonight", ends_at=timezone.now() + timedelta(hours=2))
    OfferFactory(title="Never ends", ends_at=None)

    assert _titles(_html(client, "/coupons/", sort="ending")) == ["Ends tonight", "Ends next week"]


def test_coupons_sort_popular_puts_the_most_clicked_first(client):
    OfferFactory(title="Quiet", clicks_count=3)
    OfferFactory(title="Busy", clicks_count=900)

    assert _titles(_html(client, "/coupons/")) == ["Busy", "Quiet"]


def test_coupons_sort_highest_cashback(client):
    OfferFactory(title="2%", merchant=MerchantFactory(cashback_value=Decimal("2")))
    OfferFactory(title="9%", merchant=MerchantFactory(cashback_value=Decimal("9")))

    assert _titles(_html(client, "/coupons/", sort="cashback")) == ["9%", "2%"]


def test_every_sort_on_the_page_is_one_the_selector_knows():
    assert [value for value, _ in page_views.SORT_CHOICES] == list(selectors.SORTS)


def test_sort_links_keep_the_filters_and_drop_the_page(client):
    OfferFactory(kind=OfferKind.CODE)

    html = _html(client, "/coupons/", kind="code", page="2")

    assert 'href="?kind=code&amp;sort=ending"' in html


def test_coupons_pages_of_24_keep_filters_and_sort_in_the_links(client):
    OfferFactory.create_batch(30, kind=OfferKind.CODE)

    first = _html(client, "/coupons/", kind="code", sort="newest")
    second = _html(client, "/coupons/", kind="code", sort="newest", page="2")

    assert len(_titles(first)) == 24
    assert len(_titles(second)) == 6
    assert 'href="?kind=code&amp;sort=newest&amp;page=2"' in first
    assert not set(_titles(first)) & set(_titles(second))


def test_coupons_filter_form_works_without_javascript(client):
    html = _html(client, "/coupons/", sort="cashback")

    assert '<form class="cz-filter-form" method="get" action="/coupons/">' in html
    # the chosen sort travels with the filters when the form is submitted
    assert '<input type="hidden" name="sort" value="cashback">' in html


# --- category pages -------------------------------------------------------------------------


def test_category_page_shows_its_offers_and_its_childrens(client):
    fashion = CategoryFactory(name="Fashion")
    footwear = CategoryFactory(name="Footwear", parent=fashion)
    OfferFactory(title="Tees", category=fashion)
    OfferFactory(title="Sneakers", category=footwear)
    OfferFactory(title="Pizza", category=CategoryFactory(name="Food"))

    html = _html(client, "/categories/fashion/")

    assert sorted(_titles(html)) == ["Sneakers", "Tees"]
    assert "Fashion coupons and deals" in html
    assert 'href="/categories/footwear/"' in html


def test_category_page_filters_within_the_category(client):
    fashion = CategoryFactory(name="Fashion")
    OfferFactory(title="Fashion code", category=fashion, kind=OfferKind.CODE)
    OfferFactory(title="Fashion deal", category=fashion)
    OfferFactory(title="Food code", category=CategoryFactory(name="Food"), kind=OfferKind.CODE)

    html = _html(client, "/categories/fashion/", kind="code")

    assert _titles(html) == ["Fashion code"]
    assert 'name="category"' not in html  # the category is the page's, not a filter


def test_category_page_lists_the_stores_in_it(client):
    fashion = CategoryFactory(name="Fashion")
    MerchantFactory(name="Myntra", categories=[fashion])

    html = _html(client, "/categories/fashion/")

    assert "Stores in Fashion" in html
    assert 'class="cz-store-pill" href="/merchants/myntra/"' in html


def test_category_page_without_offers_shows_an_empty_state(client):
    CategoryFactory(name="Fashion")

    assert "No live offers right now" in _html(client, "/categories/fashion/")


@pytest.mark.parametrize("active", [True, False])
def test_unknown_or_inactive_category_is_404(client, active):
    CategoryFactory(name="Hidden", is_active=False)

    slug = "no-such-category" if active else "hidden"
    assert client.get(f"/categories/{slug}/").status_code == 404


# --- merchant pages -------------------------------------------------------------------------


@pytest.fixture
def myntra():
    merchant = MerchantFactory(
        name="Myntra",
        cashback_kind=CashbackKind.PERCENT,
        cashback_value=Decimal("7"),
        cashback_terms="Not on gift cards.",
        confirmation_days=50,
        website="https://www.myntra.com/",
    )
    OfferFactory(merchant=merchant, title="Shared code", kind=OfferKind.CODE, code="MYN300")
    OfferFactory(merchant=merchant, title="Personal code", kind=OfferKind.UNIQUE_CODE)
    OfferFactory(merchant=merchant, title="Big sale", kind=OfferKind.DEAL)
    return merchant


def test_merchant_page_header_shows_cashback_its_terms_and_confirmation_time(client, myntra):
    html = _html(client, "/merchants/myntra/")

    assert "Myntra coupons and offers" in html
    assert "Up to 7% cashback" in html
    assert "Not on gift cards." in html
    assert "Usually confirms in 50 days" in html
    assert "www.myntra.com" in html
    assert "3 live offers" in html


def test_merchant_page_header_never_says_less_than_one_of_its_offers(client, myntra):
    OfferFactory(
        merchant=myntra, title="Boosted", cashback_kind=CashbackKind.PERCENT, cashback_value=9
    )

    html = _html(client, "/merchants/myntra/")

    header = html[: html.index('id="offer-')]
    assert '<div class="cz-cashback-rate">Up to 9% cashback</div>' in header
    assert "Up to 7% cashback" in html  # the offers that earn the store's own rate


def test_merchant_page_all_tab_lists_every_live_offer_with_counts_on_the_tabs(client, myntra):
    html = _html(client, "/merchants/myntra/")

    assert sorted(_titles(html)) == ["Big sale", "Personal code", "Shared code"]
    assert re.search(r"All <span class=\"cz-tab-count\">3</span>", html)
    assert re.search(r"Codes <span class=\"cz-tab-count\">2</span>", html)
    assert re.search(r"Deals <span class=\"cz-tab-count\">1</span>", html)


def test_merchant_page_codes_tab_has_shared_and_personal_codes(client, myntra):
    html = _html(client, "/merchants/myntra/", tab="codes")

    assert sorted(_titles(html)) == ["Personal code", "Shared code"]
    assert 'href="?tab=codes" aria-current="page"' in html


def test_merchant_page_deals_tab_has_deals_only(client, myntra):
    assert _titles(_html(client, "/merchants/myntra/", tab="deals")) == ["Big sale"]


def test_merchant_page_unknown_tab_shows_all(client, myntra):
    assert len(_titles(_html(client, "/merchants/myntra/", tab="bogus"))) == 3


def test_merchant_page_empty_tab_says_what_is_missing(client):
    merchant = MerchantFactory(name="Swiggy")
    OfferFactory(merchant=merchant, kind=OfferKind.DEAL)

    html = _html(client, "/merchants/swiggy/", tab="codes")

    assert "No Swiggy coupon codes right now" in html


def test_merchant_page_without_offers_still_shows_the_store(client):
    MerchantFactory(name="Swiggy")

    html = _html(client, "/merchants/swiggy/")

    assert "No live Swiggy offers right now" in html
    assert "Similar stores" in html


def test_merchant_page_lists_related_stores(client):
    food = CategoryFactory(name="Food")
    MerchantFactory(name="Swiggy", categories=[food])
    MerchantFactory(name="Zomato", categories=[food])
    MerchantFactory(name="Nykaa", categories=[CategoryFactory(name="Beauty")])

    html = _html(client, "/merchants/swiggy/")

    assert 'href="/merchants/zomato/"' in html
    assert "/merchants/nykaa/" not in html


def test_merchant_page_for_a_store_without_cashback_says_coupons_only(client):
    MerchantFactory(name="IKEA", cashback_kind=CashbackKind.NONE, cashback_value=0)

    assert "Coupons only" in _html(client, "/merchants/ikea/")


@pytest.mark.parametrize("slug", ["no-such-store", "jabong"])
def test_unknown_or_inactive_merchant_is_404(client, slug):
    MerchantFactory(name="Jabong", is_active=False)

    assert client.get(f"/merchants/{slug}/").status_code == 404


def test_an_ended_offers_click_out_lands_on_the_merchant_page_with_its_message(client, myntra):
    ended = OfferFactory(merchant=myntra, status=OfferStatus.EXPIRED)

    response = client.get(f"/go/{ended.public_id}/", follow=True)

    assert response.redirect_chain[-1][0] == "/merchants/myntra/"
    assert "That offer has ended." in response.content.decode()


# --- offer cards ----------------------------------------------------------------------------


def test_code_card_opens_the_click_out_in_a_new_tab_and_holds_the_code_to_reveal(client):
    offer = OfferFactory(kind=OfferKind.CODE, code="SAVE150")

    html = _html(client, "/coupons/")

    go = f"/go/{offer.public_id}/"
    assert (
        f'href="{go}" target="_blank" rel="noopener" data-cz-reveal="code-{offer.public_id}"'
        in (html)
    )
    assert "Get code" in html
    assert f'<div class="cz-code-reveal" id="code-{offer.public_id}" hidden>' in html
    assert "SAVE150" in html
    assert "<noscript>" in html  # without JavaScript the code is simply shown


def test_deal_card_goes_straight_through_the_click_out(client):
    offer = OfferFactory(kind=OfferKind.DEAL)

    html = _html(client, "/coupons/")

    assert f'href="/go/{offer.public_id}/" target="_blank" rel="noopener">' in html
    assert "Get deal" in html


def test_unique_code_card_asks_a_visitor_to_sign_in_first(client):
    book_with_codes(1, offer=OfferFactory(kind=OfferKind.UNIQUE_CODE))

    html = _html(client, "/coupons/")

    assert "Sign in to get your code" in html
    assert 'href="/accounts/login/?next=/coupons/"' in html


def test_unique_code_card_posts_a_claim_for_a_signed_in_shopper(client):
    offer = OfferFactory(kind=OfferKind.UNIQUE_CODE)
    book_with_codes(1, offer=offer)
    client.force_login(UserFactory())

    html = _html(client, "/coupons/")

    assert f'<form method="post" action="/offers/{offer.public_id}/claim/">' in html
    assert "Get my code" in html


def test_cashback_on_a_card_has_a_rupee_icon_not_a_dollar_sign(client):
    OfferFactory(merchant=MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=5))

    html = _html(client, "/coupons/")

    cashback = html[html.index('<li class="cz-offer-cashback">') :]
    icon = cashback[: cashback.index("</svg>")]
    assert 'class="cz-icon-rupee"' in icon
    assert "M12 2v20M17 6H9.5" not in html  # the dollar sign's path


@pytest.mark.parametrize(
    "book",
    [
        pytest.param(lambda offer: None, id="no book"),
        pytest.param(lambda offer: book_with_codes(0, offer=offer), id="book without codes"),
        pytest.param(
            lambda offer: book_with_codes(3, offer=offer, status=BookStatus.PAUSED),
            id="paused book",
        ),
    ],
)
def test_unique_code_card_without_a_code_to_hand_out_offers_no_claim(client, book):
    # given a unique-code offer whose books cannot hand out a code
    offer = OfferFactory(kind=OfferKind.UNIQUE_CODE)
    book(offer)
    client.force_login(UserFactory())

    # when a shopper and a visitor look at it
    signed_in_html = _html(client, "/coupons/")
    client.logout()
    visitor_html = _html(client, "/coupons/")

    # then neither gets a button that would answer "not being handed out"
    for html in (signed_in_html, visitor_html):
        assert f"/offers/{offer.public_id}/claim/" not in html
        assert "Get my code" not in html and "Sign in to get your code" not in html
        assert "No codes left to hand out right now" in html


def test_merchant_page_shows_claimable_and_spent_unique_code_offers_in_fixed_queries(client):
    # given a store with one unique-code offer that has codes and one whose book is empty
    merchant = MerchantFactory()
    live = OfferFactory(kind=OfferKind.UNIQUE_CODE, merchant=merchant)
    book_with_codes(2, offer=live)
    spent = OfferFactory(kind=OfferKind.UNIQUE_CODE, merchant=merchant)
    book_with_codes(0, offer=spent)
    client.force_login(UserFactory())
    few = _query_count(client, f"/merchants/{merchant.slug}/")
    cache.clear()
    for _ in range(6):
        book_with_codes(1, offer=OfferFactory(kind=OfferKind.UNIQUE_CODE, merchant=merchant))

    # when the page is shown
    many = _query_count(client, f"/merchants/{merchant.slug}/")
    html = _html(client, f"/merchants/{merchant.slug}/")

    # then only the offer with codes can be claimed, and more offers cost no more queries
    assert f"/offers/{live.public_id}/claim/" in html
    assert f"/offers/{spent.public_id}/claim/" not in html
    assert many == few


def test_card_shows_badges_cashback_expiry_and_uses_today(client):
    offer = OfferFactory(verified=True, exclusive=True, ends_at=_local_day(2))
    today = timezone.localdate().isoformat()
    counters.incr(f"offer:uses-today:{offer.pk}:{today}", 37)

    html = _html(client, "/coupons/")

    assert "Verified" in html
    assert "Exclusive" in html
    assert "Up to 5% cashback" in html
    assert "Ends in 2 days" in html
    assert "37 used today" in html


@pytest.mark.parametrize(
    ("ends_at", "label"),
    [
        (lambda: None, "No expiry"),
        (lambda: timezone.now() + timedelta(minutes=5), "Ends today"),
        (lambda: _local_day(1), "Ends tomorrow"),
        (lambda: _local_day(12), "Ends in 12 days"),
    ],
)
def test_card_expiry_reads_by_calendar_day(client, ends_at, label):
    end = ends_at()
    if (
        end is not None
        and timezone.localdate(end) != timezone.localdate()
        and label == "Ends today"
    ):
        pytest.skip("five minutes before midnight the offer ends tomorrow")
    OfferFactory(ends_at=end)

    assert label in _html(client, "/coupons/")


def test_card_discount_badge_matches_the_discount(client):
    OfferFactory(discount_type=DiscountType.FIXED, discount_value=Decimal("1500"))

    assert "₹1,500.00 off" in _html(client, "/coupons/")


# --- search and autocomplete ----------------------------------------------------------------


def test_search_shows_matching_stores_and_offers(client):
    pizza_hut = MerchantFactory(name="Pizza Hut")
    OfferFactory(merchant=pizza_hut, title="Buy 1 Get 1 on medium pizzas")
    OfferFactory(title="Flat 20% off on pizzas above ₹399")
    OfferFactory(title="Flights sale")

    html = _html(client, "/search/", q="pizza")

    assert 'href="/merchants/pizza-hut/"' in html
    assert sorted(_titles(html)) == [
        "Buy 1 Get 1 on medium pizzas",
        "Flat 20% off on pizzas above ₹399",
    ]
    assert "Results for “pizza”" in html


def test_search_ranks_the_store_named_like_the_query_first(client):
    MerchantFactory(name="Flipkart Health")
    MerchantFactory(name="Flipkart")

    html = _html(client, "/search/", q="flipkart")

    assert html.index('href="/merchants/flipkart/"') < html.index(
        'href="/merchants/flipkart-health/"'
    )


def test_search_without_results_shows_an_empty_state(client):
    MerchantFactory(name="Myntra")

    html = _html(client, "/search/", q="zzzz")

    assert "Nothing found for “zzzz”" in html


def test_search_without_a_query_invites_one(client):
    assert "What are you shopping for?" in _html(client, "/search/")


def test_header_search_box_appears_once_search_exists(client):
    html = _html(client, "/")

    assert 'action="/search/"' in html
    assert 'id="cz-search-input"' in html


def test_autocomplete_answers_json_suggestions_with_links(client):
    merchant = MerchantFactory(name="Myntra")
    offer = OfferFactory(merchant=merchant, title="Myntra end of season sale")

    response = client.get("/search/autocomplete/", {"q": "myn"})

    assert response.status_code == 200
    assert response.json() == {
        "q": "myn",
        "results": [
            {"type": "merchant", "label": "Myntra", "url": "/merchants/myntra/"},
            {
                "type": "offer",
                "label": "Myntra end of season sale",
                "url": f"/merchants/myntra/#offer-{offer.public_id}",
            },
        ],
    }


def test_autocomplete_waits_for_two_characters(client):
    MerchantFactory(name="Myntra")

    assert client.get("/search/autocomplete/", {"q": "m"}).json()["results"] == []


def test_pages_with_the_header_box_load_the_autocomplete_script(client):
    html = _html(client, "/coupons/")

    assert "js/autocomplete.js" in html
    assert 'data-url="/search/autocomplete/"' in html


# --- home -----------------------------------------------------------------------------------


def test_home_shows_featured_stores_top_and_expiring_offers_and_categories(client):
    CategoryFactory(name="Fashion", icon="👗")
    MerchantFactory(name="Myntra", featured=True)
    OfferFactory(title="Top deal", featured=True)
    OfferFactory(title="Last chance", ends_at=timezone.now() + timedelta(hours=3))

    html = _html(client, "/")

    assert "Save on every order" in html
    assert "Featured stores" in html and 'href="/merchants/myntra/"' in html
    assert "Top offers" in html and "Top deal" in html
    assert "Ending soon" in html and "Last chance" in html
    assert 'href="/categories/fashion/"' in html
    assert "How Coupzii works" in html
    assert "Picked for you" not in html


def test_home_picks_offers_from_stores_a_shopper_clicked(client):
    user = UserFactory()
    clicked = OfferFactory(title="Clicked before")
    OfferFactory(merchant=clicked.merchant, title="More from that store")
    OfferFactory.create_batch(3, featured=True)
    ClickFactory(offer=clicked, user=user)
    client.force_login(user)

    html = _html(client, "/")

    assert "Picked for you" in html
    picked = html.split("Picked for you", 1)[1].split("Featured stores", 1)[0]
    assert "More from that store" in picked
    assert f"Because you shop at {clicked.merchant.name}" in picked


def test_home_leaves_out_trending_when_it_would_repeat_the_top_offers(client):
    OfferFactory.create_batch(3)  # nothing clicked lately: trending falls back to the top

    assert "Trending now" not in _html(client, "/")


def test_home_with_no_data_shows_empty_states(client):
    html = _html(client, "/")

    assert "No offers yet" in html
    assert "No featured stores yet" in html


# --- constant queries -----------------------------------------------------------------------


def _fill(count: int, category) -> None:
    for number in range(count):
        merchant = MerchantFactory(categories=[category], featured=number % 2 == 0)
        kind = [OfferKind.CODE, OfferKind.DEAL, OfferKind.UNIQUE_CODE][number % 3]
        OfferFactory(
            merchant=merchant,
            category=category,
            kind=kind,
            title=f"Sale {number}",
            ends_at=timezone.now() + timedelta(days=number % 5, hours=1),
            cashback_kind=CashbackKind.FLAT if number % 4 == 0 else "",
            cashback_value=Decimal("50") if number % 4 == 0 else None,
        )


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/coupons/",
        "/coupons/?kind=code&has_cashback=on&sort=cashback",
        "/categories/fashion/",
        "/search/?q=sale",
    ],
)
def test_list_pages_run_the_same_queries_for_one_offer_or_many(
    client, django_assert_num_queries, url
):
    # given one offer (signed in, so the per-user parts run too)
    fashion = CategoryFactory(name="Fashion")
    user = UserFactory()
    client.force_login(user)
    _fill(1, fashion)
    ClickFactory(offer=OfferFactory(category=fashion, title="Sale clicked"), user=user)
    one = _query_count(client, url)
    # when there are enough for full rails and a full page
    _fill(40, fashion)

    # then the page costs the same
    cache.clear()
    with django_assert_num_queries(one):
        client.get(url)


def test_merchant_page_runs_the_same_queries_for_one_offer_or_many(
    client, django_assert_num_queries
):
    fashion = CategoryFactory(name="Fashion")
    merchant = MerchantFactory(name="Myntra", categories=[fashion])
    OfferFactory(merchant=merchant, kind=OfferKind.CODE)
    MerchantFactory(categories=[fashion])
    one = _query_count(client, "/merchants/myntra/?tab=codes")
    for number in range(30):
        OfferFactory(merchant=merchant, kind=[OfferKind.CODE, OfferKind.UNIQUE_CODE][number % 2])
        MerchantFactory(categories=[fashion])

    cache.clear()
    with django_assert_num_queries(one):
        client.get("/merchants/myntra/?tab=codes")


def test_merchant_page_is_cached_until_the_catalog_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    merchant = MerchantFactory(name="Myntra")
    offer = OfferFactory(merchant=merchant, kind=OfferKind.CODE, title="Old title")
    client.get("/merchants/myntra/")

    with django_assert_num_queries(0):
        assert "Old title" in client.get("/merchants/myntra/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        offer.title = "New title"
        offer.save()
    assert "New title" in client.get("/merchants/myntra/").content.decode()
