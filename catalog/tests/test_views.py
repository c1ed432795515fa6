"""The store directory (/merchants/) and the category index (/categories/)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CashbackKind
from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def _html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_store_grid_shows_name_cashback_label_and_live_offer_count(client):
    myntra = MerchantFactory(name="Myntra", cashback_kind=CashbackKind.PERCENT, cashback_value=7)
    MerchantFactory(name="Swiggy", cashback_kind=CashbackKind.FLAT, cashback_value=150)
    MerchantFactory(name="IKEA", cashback_kind=CashbackKind.NONE, cashback_value=0)
    OfferFactory.create_batch(2, merchant=myntra)

    html = _html(client, "/merchants/")

    assert "Up to 7% cashback" in html
    assert "Flat ₹150.00 cashback" in html
    assert "Coupons only" in html  # IKEA pays no cashback
    assert "2 offers" in html
    assert 'href="/merchants/myntra/"' in html
    assert "3 stores with coupons and cashback" in html


def test_store_grid_draws_an_initials_badge_in_the_brand_colour(client):
    MerchantFactory(name="Tata CLiQ", brand_color="#da1c5c")

    html = _html(client, "/merchants/")

    assert '<span class="cz-logo-initials">TC</span>' in html
    assert 'class="cz-logo cz-logo-md cz-brand-da1c5c"' in html
    assert ".cz-brand-da1c5c{--cz-logo-bg:#da1c5c;--cz-logo-fg:" in html


def test_a_brand_colour_that_is_not_hex_never_reaches_the_page_styles(client):
    MerchantFactory(name="Odd", brand_color="red;x:y")

    html = _html(client, "/merchants/")

    assert "red;x:y" not in html
    assert ".cz-brand-0f766e{--cz-logo-bg:#0f766e;" in html


def test_store_search_matches_part_of_the_name(client):
    MerchantFactory(name="Myntra")
    MerchantFactory(name="Flipkart")

    html = _html(client, "/merchants/", q="ntr")

    assert "Myntra" in html
    assert "Flipkart" not in html
    assert 'value="ntr"' in html


def test_store_category_filter_includes_the_category_children(client):
    fashion = CategoryFactory(name="Fashion")
    footwear = CategoryFactory(name="Footwear", parent=fashion)
    MerchantFactory(name="Puma", categories=[footwear])
    MerchantFactory(name="Myntra", categories=[fashion])
    MerchantFactory(name="Swiggy", categories=[CategoryFactory(name="Food")])

    html = _html(client, "/merchants/", category="fashion")

    assert "Puma" in html
    assert "Myntra" in html
    assert "Swiggy" not in html
    assert '<option value="fashion" selected>' in html


def test_an_unknown_category_in_the_store_filter_is_ignored(client):
    MerchantFactory(name="Myntra")

    html = _html(client, "/merchants/", category="no-such-thing")

    assert "Myntra" in html


def test_store_search_without_matches_shows_an_empty_state_with_a_way_back(client):
    MerchantFactory(name="Myntra")

    html = _html(client, "/merchants/", q="zzz")

    assert "No stores match" in html
    assert "Show every store" in html


def test_store_directory_with_no_stores_says_so(client):
    html = _html(client, "/merchants/")

    assert "No stores yet" in html


def test_store_directory_shows_24_stores_a_page(client):
    for number in range(30):
        MerchantFactory(name=f"Store {number:02d}")

    first = _html(client, "/merchants/")
    second = _html(client, "/merchants/", page=2)

    assert first.count('class="cz-merchant-card') == 24
    assert second.count('class="cz-merchant-card') == 6
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first


def test_store_pagination_keeps_the_search(client):
    for number in range(30):
        MerchantFactory(name=f"Shop {number:02d}")

    html = _html(client, "/merchants/", q="shop")

    assert 'href="?q=shop&amp;page=2"' in html


def test_a_page_number_past_the_end_shows_the_last_page(client):
    MerchantFactory(name="Myntra")

    html = _html(client, "/merchants/", page=99)

    assert "Myntra" in html


def test_inactive_stores_are_not_listed(client):
    MerchantFactory(name="Jabong", is_active=False)

    html = _html(client, "/merchants/")

    assert "Jabong" not in html


def test_store_directory_runs_the_same_queries_for_one_store_or_a_full_page(
    client, django_assert_num_queries
):
    # given one store with an offer and a category
    fashion = CategoryFactory(name="Fashion")
    OfferFactory(merchant=MerchantFactory(categories=[fashion]))
    one_store = _query_count(client, "/merchants/")
    # when the page fills up with stores in several categories
    for number in range(30):
        merchant = MerchantFactory(
            categories=[fashion, CategoryFactory(name=f"Extra {number}")],
            cashback_value=Decimal(number % 12),
        )
        OfferFactory(merchant=merchant)

    # then it costs the same
    with django_assert_num_queries(one_store):
        client.get("/merchants/")


def test_category_index_lists_top_level_categories_with_their_children(client):
    fashion = CategoryFactory(name="Fashion", icon="👗")
    CategoryFactory(name="Footwear", parent=fashion)
    CategoryFactory(name="Hidden", is_active=False)

    html = _html(client, "/categories/")

    assert 'href="/categories/fashion/"' in html
    assert 'href="/categories/footwear/"' in html
    assert "👗" in html
    assert "Hidden" not in html


def test_category_index_without_categories_shows_an_empty_state(client):
    html = _html(client, "/categories/")

    assert "No categories yet" in html
