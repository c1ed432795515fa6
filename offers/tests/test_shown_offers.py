"""What shoppers are shown: every list and an offer's own answer count one view per offer
shown (and nothing else), and a draft is never shown anywhere."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from offers import clickout, selectors, services
from offers.models import OfferKind, OfferStatus, OfferViewDay
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def flushed_views() -> dict[int, int]:
    services.offer_views_flush()
    return dict(OfferViewDay.objects.values_list("offer_id", "views"))


# --- views are counted -----------------------------------------------------------------------


def test_the_offers_page_counts_a_view_of_each_offer_on_the_page_only(client):
    merchant = MerchantFactory(slug="zoma")
    offers = [OfferFactory(merchant=merchant) for _ in range(3)]

    client.get("/coupons/", {"merchant": "zoma"})
    client.get("/coupons/", {"merchant": "zoma"})

    assert flushed_views() == {offer.pk: 2 for offer in offers}


def test_the_merchant_page_and_search_count_views(client):
    merchant = MerchantFactory(slug="zoma", name="Zoma")
    offer = OfferFactory(merchant=merchant, title="Pizza party 40% off")

    client.get("/merchants/zoma/")
    client.get("/search/", {"q": "pizza"})

    assert flushed_views() == {offer.pk: 2}


def test_the_home_page_counts_a_view_of_each_offer_it_shows_once(client):
    offer = OfferFactory(featured=True, ends_at=timezone.now() + timedelta(days=1))

    client.get("/")  # top and expiring rails both show it: one view

    assert flushed_views() == {offer.pk: 1}


def test_api_lists_count_views_also_when_answered_from_the_cache(api):
    offers = [OfferFactory(ends_at=timezone.now() + timedelta(days=2)) for _ in range(2)]

    api.get("/api/v1/offers/")
    api.get("/api/v1/offers/")  # the cached page
    api.get("/api/v1/offers/expiring/")
    api.get("/api/v1/offers/trending/")

    assert flushed_views() == {offer.pk: 4 for offer in offers}


def test_an_offers_own_answer_counts_one_view_and_a_missing_one_none(api):
    offer = OfferFactory()
    paused = OfferFactory(status=OfferStatus.PAUSED)

    assert api.get(f"/api/v1/offers/{offer.public_id}/").status_code == 200
    assert api.get(f"/api/v1/offers/{paused.public_id}/").status_code == 404

    assert flushed_views() == {offer.pk: 1}


def test_the_api_merchant_page_and_search_count_views(api):
    merchant = MerchantFactory(slug="zoma", name="Zoma")
    offer = OfferFactory(merchant=merchant, title="Pizza party")

    api.get("/api/v1/merchants/zoma/")
    api.get("/api/v1/search/", {"q": "pizza"})

    assert flushed_views() == {offer.pk: 2}


def test_views_are_counted_without_a_query(api, django_assert_num_queries):
    OfferFactory()
    api.get("/api/v1/offers/")  # fills the page cache

    with django_assert_num_queries(0):
        api.get("/api/v1/offers/")

    assert sum(flushed_views().values()) == 2


# --- drafts are never shown ------------------------------------------------------------------


@pytest.fixture
def draft():
    merchant = MerchantFactory(slug="zoma", name="Zoma")
    OfferFactory(merchant=merchant, title="Published pizza deal")
    return OfferFactory(
        merchant=merchant,
        kind=OfferKind.CODE,
        title="Secret pizza draft",
        status=OfferStatus.DRAFT,
        featured=True,
        ends_at=timezone.now() + timedelta(days=1),
    )


def test_a_draft_is_in_no_selector(draft):
    user = UserFactory()
    ClickFactory(offer=draft, user=user)  # even a shopper who clicked it before it was drafted

    lists = [
        selectors.offers_live(),
        selectors.offers_list(),
        selectors.offers_list(sort="ending"),
        selectors.offers_top(),
        selectors.offers_expiring(),
        selectors.offers_trending(),
        selectors.offers_for_merchant(draft.merchant),
        selectors.offers_for_you(user).offers,
        selectors.search("pizza").offers,
    ]
    for offers in lists:
        assert draft.pk not in {offer.pk for offer in offers}
    assert all(row["label"] != draft.title for row in selectors.autocomplete("secret"))
    assert not selectors.offer_is_live(draft)


def test_a_draft_is_on_no_page(client, draft):
    for url in ["/", "/coupons/", "/merchants/zoma/", "/search/?q=pizza", "/search/?q=secret"]:
        html = client.get(url).content.decode()
        assert "Secret pizza draft" not in html, url
        assert str(draft.public_id) not in html, url
    suggestions = client.get("/search/autocomplete/", {"q": "secret"}).json()
    assert suggestions["results"] == []


def test_a_draft_is_in_no_api_answer(api, draft):
    assert api.get(f"/api/v1/offers/{draft.public_id}/").status_code == 404
    for url in [
        "/api/v1/offers/",
        "/api/v1/offers/trending/",
        "/api/v1/offers/expiring/",
        "/api/v1/merchants/zoma/",
        "/api/v1/search/?q=secret",
        "/api/v1/search/autocomplete/?q=secret",
    ]:
        assert str(draft.public_id) not in api.get(url).content.decode(), url


def test_a_draft_cannot_be_clicked_out(client, api, draft):
    response = client.get(f"/go/{draft.public_id}/")

    assert response.status_code == 302
    assert response["Location"] == "/merchants/zoma/"
    assert api.post(f"/api/v1/offers/{draft.public_id}/click/").status_code == 409
    assert clickout.buffered_clicks_waiting() == 0
    assert draft.clicks.count() == 0


def test_a_drafts_codes_cannot_be_claimed(api):
    book = book_with_codes(3)
    book.offer.status = OfferStatus.DRAFT
    book.offer.save()
    api.force_authenticate(UserFactory())

    response = api.post(f"/api/v1/offers/{book.offer.public_id}/claim/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_not_allowed"


def test_a_merchants_live_count_leaves_drafts_out(client, draft):
    from catalog import selectors as catalog_selectors

    merchant = catalog_selectors.merchant_by_slug("zoma")
    assert merchant.live_offer_count == 1
