"""The catalog API: the category tree, merchants (list and page), search and autocomplete.

Lists must run a fixed number of SQL queries whatever the page size."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import CashbackKind
from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers import clickout
from offers.models import OfferKind, OfferStatus
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"
MERCHANTS = "/api/v1/merchants/"
SEARCH = "/api/v1/search/"
AUTOCOMPLETE = "/api/v1/search/autocomplete/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(scope="session")
def pg_trgm(django_db_setup, django_db_blocker):
    # What the TrigramExtension() migration does in real databases; committed once, outside
    # the test transactions.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def merchant_url(slug: str) -> str:
    return f"{MERCHANTS}{slug}/"


# --- categories -------------------------------------------------------------------------------


def test_categories_answer_the_active_tree(api):
    fashion = CategoryFactory(name="Fashion", icon="👗", position=1)
    CategoryFactory(name="Shoes", parent=fashion, icon="👟")
    CategoryFactory(name="Travel", position=2)
    CategoryFactory(name="Hidden", is_active=False)

    response = api.get(CATEGORIES)

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "fashion",
            "name": "Fashion",
            "icon": "👗",
            "children": [{"slug": "shoes", "name": "Shoes", "icon": "👟"}],
        },
        {"slug": "travel", "name": "Travel", "icon": "🛍", "children": []},
    ]


@pytest.mark.parametrize("size", [1, 30])
def test_categories_run_two_queries_however_big_the_tree(api, size, django_assert_num_queries):
    for _ in range(size):
        parent = CategoryFactory()
        CategoryFactory.create_batch(2, parent=parent)

    with django_assert_num_queries(2):
        response = api.get(CATEGORIES)

    assert len(response.json()) == size


# --- merchant list ---------------------------------------------------------------------------


def test_merchant_list_shows_cards_with_slugs_never_database_ids(api):
    # given
    fashion = CategoryFactory(name="Fashion")
    myntra = MerchantFactory(
        name="Myntra",
        brand_color="#ff3f6c",
        categories=[fashion],
        cashback_kind=CashbackKind.PERCENT,
        cashback_value="7.00",
        featured=True,
    )
    OfferFactory.create_batch(2, merchant=myntra)

    # when
    response = api.get(MERCHANTS)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "slug": "myntra",
            "name": "Myntra",
            "logo_url": None,
            "brand_color": "#ff3f6c",
            "featured": True,
            "cashback_label": "Up to 7% cashback",
            "live_offer_count": 2,
            "categories": [{"slug": "fashion", "name": "Fashion"}],
        }
    ]
    assert "id" not in body["results"][0]


def test_merchant_list_gives_the_logo_url_when_there_is_a_logo(api):
    from django.core.files.base import ContentFile

    merchant = MerchantFactory(name="Ajio")
    merchant.logo.save("ajio.svg", ContentFile(b"<svg/>"), save=True)

    card = api.get(MERCHANTS).json()["results"][0]

    # Absolute, as the schema's `uri` format says: an app cannot resolve a bare path.
    assert card["logo_url"] == f"http://testserver/media/{merchant.logo.name}"
    assert merchant.logo.name.startswith("merchant-logos/ajio")


def test_merchant_list_filters_by_name_category_and_featured(api):
    fashion = CategoryFactory(name="Fashion")
    shoes = CategoryFactory(name="Shoes", parent=fashion)
    MerchantFactory(name="Myntra", categories=[fashion], featured=True)
    MerchantFactory(name="Bata", categories=[shoes])
    MerchantFactory(name="Croma", categories=[CategoryFactory(name="Electronics")])

    def found(**params):
        return [m["slug"] for m in api.get(MERCHANTS, params).json()["results"]]

    assert found() == ["bata", "croma", "myntra"]
    assert found(q="myn") == ["myntra"]
    assert found(category="fashion") == ["bata", "myntra"]
    assert found(category="shoes") == ["bata"]
    assert found(featured="true") == ["myntra"]
    assert found(featured="false") == ["bata", "croma"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"featured": "maybe"}, "featured"),
        ({"category": "not a slug!"}, "category"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_merchant_list_answers_400_with_the_bad_field(api, params, field):
    response = api.get(MERCHANTS, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("page_size", [1, 50])
def test_merchant_list_runs_three_queries_whatever_the_page_size(
    api, page_size, django_assert_num_queries
):
    fashion, beauty = CategoryFactory(name="Fashion"), CategoryFactory(name="Beauty")
    for _ in range(55):
        OfferFactory(merchant=MerchantFactory(categories=[fashion, beauty]))

    with django_assert_num_queries(3):  # count, page, categories
        response = api.get(MERCHANTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


# --- merchant page ---------------------------------------------------------------------------


def test_merchant_page_has_cashback_terms_live_offers_and_related_merchants(api):
    # given
    fashion = CategoryFactory(name="Fashion")
    myntra = MerchantFactory(
        name="Myntra",
        website="https://www.myntra.com",
        description="Fashion destination.",
        categories=[fashion],
        cashback_kind=CashbackKind.FLAT,
        cashback_value="150.00",
        cashback_terms="Not on gift cards.",
        confirmation_days=60,
    )
    live = OfferFactory(title="Live deal", merchant=myntra)
    OfferFactory(title="Paused", merchant=myntra, status=OfferStatus.PAUSED)
    MerchantFactory(name="Ajio", categories=[fashion])
    MerchantFactory(name="Croma")

    # when
    response = api.get(merchant_url("myntra"))

    # then
    assert response.status_code == 200
    page = response.json()
    assert page["cashback"] == {"kind": "flat", "value": "150.00", "label": "Flat ₹150.00 cashback"}
    assert page["cashback_label"] == "Flat ₹150.00 cashback"
    assert page["cashback_terms"] == "Not on gift cards."
    assert page["confirmation_days"] == 60
    assert page["website"] == "https://www.myntra.com"
    assert page["live_offer_count"] == 1
    assert [offer["id"] for offer in page["offers"]] == [str(live.public_id)]
    assert [merchant["slug"] for merchant in page["related"]] == ["ajio"]
    assert "tracking_url_template" not in page


def test_merchant_page_shows_at_most_fifty_offers_inline(api):
    myntra = MerchantFactory(name="Myntra")
    OfferFactory.create_batch(52, merchant=myntra)

    page = api.get(merchant_url("myntra")).json()

    assert len(page["offers"]) == 50
    assert page["live_offer_count"] == 52


@pytest.mark.parametrize("offers", [1, 40])
def test_merchant_page_runs_five_queries_however_many_offers(
    api, offers, django_assert_num_queries
):
    fashion = CategoryFactory(name="Fashion")
    myntra = MerchantFactory(name="Myntra", categories=[fashion])
    OfferFactory.create_batch(offers, merchant=myntra, category=fashion)
    for _ in range(offers):
        MerchantFactory(categories=[fashion])

    # The steady state: today's use counters already rebuilt from the click table, which a
    # fresh Redis does once, on its first read.
    clickout.uses_today_rebuild()

    # merchant, its categories, its offers, related merchants, their categories
    with django_assert_num_queries(5):
        response = api.get(merchant_url("myntra"))

    assert len(response.json()["offers"]) == offers


@pytest.mark.parametrize("slug", ["nobody", "closed-shop"])
def test_merchant_page_answers_404_in_the_error_shape(api, slug):
    MerchantFactory(name="Closed Shop", is_active=False)

    response = api.get(merchant_url(slug))

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such merchant.", "fields": {}}
    }


# --- search ----------------------------------------------------------------------------------


def test_search_answers_merchants_and_offers(api):
    flipkart = MerchantFactory(name="Flipkart")
    offer = OfferFactory(title="Flipkart Big Billion Days", merchant=flipkart, kind=OfferKind.CODE)
    MerchantFactory(name="Amazon")

    response = api.get(SEARCH, {"q": "flipkart"})

    assert response.status_code == 200
    body = response.json()
    assert [m["slug"] for m in body["merchants"]] == ["flipkart"]
    assert body["merchants"][0]["live_offer_count"] == 1
    assert [o["id"] for o in body["offers"]] == [str(offer.public_id)]
    assert body["offers"][0]["code"] == offer.code


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite substring search")
def test_search_on_sqlite_finds_by_substring(api):
    MerchantFactory(name="The Souled Store")

    body = api.get(SEARCH, {"q": "ouled st"}).json()

    assert [m["name"] for m in body["merchants"]] == ["The Souled Store"]


@pytest.mark.postgres
def test_search_on_postgres_finds_a_merchant_despite_a_typo(api, pg_trgm):
    MerchantFactory(name="Flipkart")
    MerchantFactory(name="Myntra")

    body = api.get(SEARCH, {"q": "flipcart"}).json()

    assert [m["name"] for m in body["merchants"]] == ["Flipkart"]


def test_search_limits_each_list(api):
    for n in range(5):
        OfferFactory(title=f"Shoe sale {n}", merchant=MerchantFactory(name=f"Shoe shop {n}"))

    body = api.get(SEARCH, {"q": "shoe", "limit": 2}).json()

    assert (len(body["merchants"]), len(body["offers"])) == (2, 2)


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "shoes", "limit": "0"}, "limit")],
)
def test_search_answers_400_for_a_missing_query_or_bad_limit(api, params, field):
    response = api.get(SEARCH, params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.mark.parametrize("results", [1, 20])
def test_search_runs_a_fixed_number_of_queries(api, results, django_assert_max_num_queries):
    fashion = CategoryFactory(name="Fashion")
    for n in range(results):
        merchant = MerchantFactory(name=f"Shoe shop {n}", categories=[fashion])
        OfferFactory(title=f"Shoe sale {n}", merchant=merchant, category=fashion)

    # merchants, their categories, offers (+ the pg_trgm check on PostgreSQL)
    with django_assert_max_num_queries(4):
        body = api.get(SEARCH, {"q": "shoe"}).json()

    assert len(body["merchants"]) == len(body["offers"]) == results


# --- autocomplete ----------------------------------------------------------------------------


def test_autocomplete_suggests_merchants_then_offers(api):
    myntra = MerchantFactory(name="Myntra")
    offer = OfferFactory(title="Myntra fashion carnival", merchant=myntra)

    response = api.get(AUTOCOMPLETE, {"q": "myn"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"type": "merchant", "label": "Myntra", "slug": "myntra"},
            {
                "type": "offer",
                "label": "Myntra fashion carnival",
                "public_id": str(offer.public_id),
                "merchant_slug": "myntra",
            },
        ]
    }


def test_autocomplete_answers_400_without_text(api):
    response = api.get(AUTOCOMPLETE)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]
