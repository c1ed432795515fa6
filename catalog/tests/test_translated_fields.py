"""Hindi for what operators write in the catalogue: category names, merchants' descriptions and
gift cards, shown to Hindi readers on pages and in the API (Accept-Language), with English
wherever the Hindi field is empty, and edited side by side in the admin."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from catalog import demo, selectors
from catalog.models import Category
from catalog.tests.factories import CategoryFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"


def test_a_hindi_reader_sees_hindi_category_names_and_english_where_there_is_none(client):
    CategoryFactory(name="Fashion", name_hi="फ़ैशन", slug="fashion")
    CategoryFactory(name="Travel", slug="travel")  # nobody wrote a Hindi name
    client.cookies["django_language"] = "hi"

    text = client.get("/categories/").content.decode()

    assert "फ़ैशन" in text
    assert "Fashion" not in text
    assert "Travel" in text


def test_an_english_reader_keeps_the_english_names(client):
    CategoryFactory(name="Fashion", name_hi="फ़ैशन", slug="fashion")

    text = client.get("/categories/").content.decode()

    assert "Fashion" in text
    assert "फ़ैशन" not in text


def test_the_api_answers_in_the_language_the_app_asks_for():
    CategoryFactory(name="Fashion", name_hi="फ़ैशन", slug="fashion", icon="👗", position=1)
    CategoryFactory(name="Travel", slug="travel", icon="✈️", position=2)
    api = APIClient()

    hindi = api.get(CATEGORIES, HTTP_ACCEPT_LANGUAGE="hi").json()
    english = api.get(CATEGORIES, HTTP_ACCEPT_LANGUAGE="en").json()

    assert [category["name"] for category in hindi] == ["फ़ैशन", "Travel"]
    assert [category["name"] for category in english] == ["Fashion", "Travel"]


def test_the_category_tree_in_hindi_runs_the_same_two_queries(django_assert_num_queries):
    for position in range(5):
        parent = CategoryFactory(
            name=f"Top {position}", name_hi=f"शीर्ष {position}", position=position
        )
        CategoryFactory.create_batch(2, parent=parent)

    with django_assert_num_queries(2):
        response = APIClient().get(CATEGORIES, HTTP_ACCEPT_LANGUAGE="hi")

    assert response.json()[0]["name"] == "शीर्ष 0"


def test_a_merchants_hindi_description_shows_on_its_page_for_a_hindi_reader(client):
    MerchantFactory(
        name="Myntra",
        slug="myntra",
        description="India's fashion destination.",
        description_hi="भारत का फ़ैशन ठिकाना।",
    )
    client.cookies["django_language"] = "hi"

    text = client.get("/merchants/myntra/").content.decode()

    assert "भारत का फ़ैशन ठिकाना।" in text
    assert "India&#x27;s fashion destination." not in text


def test_a_gift_card_shows_its_hindi_name_and_terms_in_the_api():
    ProductFactory(
        name="Myntra Gift Card",
        name_hi="Myntra गिफ़्ट कार्ड",
        slug="myntra-gift-card",
        terms="Valid for 12 months.",
        terms_hi="12 महीने तक मान्य।",
    )

    card = APIClient().get("/api/v1/products/myntra-gift-card/", HTTP_ACCEPT_LANGUAGE="hi")

    assert card.status_code == 200
    assert card.json()["name"] == "Myntra गिफ़्ट कार्ड"
    assert card.json()["terms"] == "12 महीने तक मान्य।"


def test_the_demo_gives_every_category_a_hindi_name():
    demo._seed_categories(lambda line: None)

    assert Category.objects.count() == len(demo.CATEGORIES)
    assert not Category.objects.filter(name_hi__isnull=True).exists()
    assert Category.objects.get(slug="groceries").name_hi == "किराना"


def test_an_operator_edits_a_categorys_english_and_hindi_names_in_the_admin(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    category = CategoryFactory(name="Groceries", slug="groceries")

    form = client.get(f"/admin/catalog/category/{category.pk}/change/").content.decode()
    response = client.post(
        f"/admin/catalog/category/{category.pk}/change/",
        {
            "name_en": "Groceries",
            "name_hi": "किराना",
            "slug": "groceries",
            "icon": "🛒",
            "position": "0",
            "is_active": "on",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )

    assert 'name="name_en"' in form and 'name="name_hi"' in form
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name_en, category.name_hi) == ("Groceries", "किराना")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_gift_card_search_finds_a_card_by_its_english_or_hindi_name(language):
    card = ProductFactory(name="Festive Gift Card", name_hi="त्योहारी गिफ़्ट कार्ड")

    with translation.override(language):
        by_english = list(selectors.gift_cards_list(q="festive"))
        by_hindi = list(selectors.gift_cards_list(q="त्योहारी"))

    assert by_english == [card]
    assert by_hindi == [card]


def test_the_demo_writes_every_merchants_description_and_terms_in_hindi():
    slugs = {row[1] for row in demo.MERCHANTS}
    main_categories = {demo._top_level(row[4][0]) for row in demo.MERCHANTS}

    assert set(demo.MERCHANT_DESCRIPTIONS_HI) == slugs
    assert main_categories <= set(demo.CATEGORY_TERMS_HI)
