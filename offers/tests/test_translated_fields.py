"""Offers in Hindi: titles and terms operators (or the demo) wrote in Hindi are shown to Hindi
readers on pages and in the API, English where there is no Hindi, and search finds an offer
by either language whichever language the shopper reads in."""

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers import clickout, demo, selectors, trending
from offers.admin import OfferResource
from offers.models import Offer
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def hindi_offer(**fields) -> Offer:
    return OfferFactory(
        title="Buy 1 Get 1 on medium pizzas",
        title_hi="मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त",
        terms="Valid once per account.",
        terms_hi="हर खाते पर एक बार मान्य।",
        **fields,
    )


def test_a_hindi_reader_sees_the_hindi_title_and_terms_on_the_offer_list(client):
    hindi_offer()
    OfferFactory(title="Flat 20% off sitewide")  # no Hindi written
    client.cookies["django_language"] = "hi"

    text = client.get("/coupons/").content.decode()

    assert "मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त" in text
    assert "Buy 1 Get 1 on medium pizzas" not in text
    assert "Flat 20% off sitewide" in text


def test_the_offer_api_answers_in_the_requested_language():
    offer = hindi_offer()
    api = APIClient()

    hindi = api.get(f"/api/v1/offers/{offer.public_id}/", HTTP_ACCEPT_LANGUAGE="hi").json()
    english = api.get(f"/api/v1/offers/{offer.public_id}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert (hindi["title"], hindi["terms"]) == (
        "मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त",
        "हर खाते पर एक बार मान्य।",
    )
    assert (english["title"], english["terms"]) == (
        "Buy 1 Get 1 on medium pizzas",
        "Valid once per account.",
    )


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_offer_list_api_keeps_its_query_count_in_either_language(
    language, django_assert_num_queries
):
    for _ in range(3):
        hindi_offer(merchant=MerchantFactory())
    # Today's counters rebuilt from the click table, as offers/tests/test_api.py's steady state.
    clickout.uses_today_rebuild()
    trending.hours_rebuild()

    with django_assert_num_queries(2):  # count, page
        response = APIClient().get("/api/v1/offers/", HTTP_ACCEPT_LANGUAGE=language)

    titles = {offer["title"] for offer in response.json()["results"]}
    expected = "मीडियम" if language == "hi" else "medium"
    assert all(expected in title for title in titles)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_search_finds_an_offer_by_its_english_or_hindi_title_in_either_language(language):
    offer = hindi_offer(merchant=MerchantFactory(name="Dominos"))

    with translation.override(language):
        by_english = selectors.search("medium pizzas").offers
        by_hindi = selectors.search("पिज़्ज़ा").offers

    assert by_english == [offer]
    assert by_hindi == [offer]


def test_the_demo_writes_hindi_titles_and_terms_for_its_offers():
    category = CategoryFactory(slug="food-dining", name="Food & Dining")
    merchant = MerchantFactory(name="Domino's", slug="dominos")

    offers = demo.build([merchant], {merchant.id: category}, timezone.now())

    assert offers
    assert all(offer.title_hi and offer.description_hi and offer.terms_hi for offer in offers)
    assert "मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त" in {offer.title_hi for offer in offers}
    assert all("मान्य" in offer.terms_hi for offer in offers)


def test_the_offer_spreadsheet_has_english_and_hindi_columns_whatever_the_admins_language():
    offer = hindi_offer()

    with translation.override("hi"):
        exported = OfferResource().export()
        row = dict(zip(exported.headers, exported[0], strict=True))
        row.update(title="Buy 1 Get 1 on large pizzas", title_hi="लार्ज पिज़्ज़ा पर एक के साथ एक")
        exported.wipe()
        exported.headers = list(row)
        exported.append(list(row.values()))
        result = OfferResource().import_data(exported, raise_errors=True)

    assert not result.has_validation_errors()
    offer.refresh_from_db()
    assert (offer.title_en, offer.title_hi) == (
        "Buy 1 Get 1 on large pizzas",
        "लार्ज पिज़्ज़ा पर एक के साथ एक",
    )
    assert offer.terms_en == "Valid once per account."
