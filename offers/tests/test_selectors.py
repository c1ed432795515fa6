"""Offer reads: what is live, list filters and sorts, the top / expiring / trending rails
(for you: test_foryou.py), search (substring on SQLite; full text + trigram on PostgreSQL)
and autocomplete."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import CashbackKind, Merchant
from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers import selectors, trending
from offers.models import DiscountType, Offer, OfferKind, OfferStatus
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

on_sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the substring search is the SQLite implementation"
)


@pytest.fixture(scope="session")
def pg_trgm(django_db_setup, django_db_blocker):
    """Create pg_trgm in the test database once (outside any test transaction), as the
    TrigramExtension() migration will in real databases."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def titles(offers) -> list[str]:
    return [offer.title for offer in offers]


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def ahead(**delta):
    return timezone.now() + timedelta(**delta)


# --- live ------------------------------------------------------------------------------------


def test_offers_live_keeps_only_active_started_unended_offers_of_active_merchants():
    # given
    OfferFactory(title="live")
    OfferFactory(title="no end date", ends_at=None)
    OfferFactory(title="ended", starts_at=ago(days=9), ends_at=ago(minutes=1))
    OfferFactory(title="future", starts_at=ahead(hours=1), ends_at=ahead(days=2))
    OfferFactory(title="paused", status=OfferStatus.PAUSED)
    OfferFactory(title="marked expired", status=OfferStatus.EXPIRED)
    OfferFactory(title="closed merchant", merchant=MerchantFactory(is_active=False))

    # when
    live = selectors.offers_live()

    # then
    assert sorted(titles(live)) == ["live", "no end date"]


def test_offer_is_live_agrees_with_offers_live():
    live = OfferFactory()
    ended = OfferFactory(starts_at=ago(days=9), ends_at=ago(minutes=1))

    assert selectors.offer_is_live(live)
    assert not selectors.offer_is_live(ended)


def test_offer_by_public_id_finds_an_offer_live_or_not():
    ended = OfferFactory(starts_at=ago(days=9), ends_at=ago(days=1))

    assert selectors.offer_by_public_id(ended.public_id) == ended
    assert selectors.offer_by_public_id(str(ended.public_id)) == ended


@pytest.mark.parametrize("public_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_offer_by_public_id_raises_does_not_exist_for_unknown_ids(public_id):
    OfferFactory()

    with pytest.raises(Offer.DoesNotExist):
        selectors.offer_by_public_id(public_id)


# --- list filters ----------------------------------------------------------------------------


def test_offers_list_never_lists_expired_future_or_paused_offers():
    OfferFactory(title="live")
    OfferFactory(title="ended", starts_at=ago(days=9), ends_at=ago(days=1))
    OfferFactory(title="future", starts_at=ahead(days=1), ends_at=ahead(days=9))
    OfferFactory(title="paused", status=OfferStatus.PAUSED)

    for sort in selectors.SORTS:
        assert titles(selectors.offers_list(sort=sort)) == ["live"], sort


def test_offers_list_filters_by_merchant_slug():
    OfferFactory(title="myntra deal", merchant=MerchantFactory(name="Myntra"))
    OfferFactory(title="ajio deal", merchant=MerchantFactory(name="Ajio"))

    assert titles(selectors.offers_list(merchant_slug="myntra")) == ["myntra deal"]
    assert titles(selectors.offers_list(merchant_slug="nobody")) == []


def test_offers_list_by_a_parent_category_includes_its_childrens_offers():
    # given
    fashion = CategoryFactory(name="Fashion")
    shoes = CategoryFactory(name="Shoes", parent=fashion)
    electronics = CategoryFactory(name="Electronics")
    OfferFactory(title="dresses", category=fashion)
    OfferFactory(title="sneakers", category=shoes)
    OfferFactory(title="phones", category=electronics)

    # then
    assert sorted(titles(selectors.offers_list(category_slug="fashion"))) == [
        "dresses",
        "sneakers",
    ]
    assert titles(selectors.offers_list(category_slug="shoes")) == ["sneakers"]


def test_offers_list_files_an_offer_without_a_category_under_its_merchants_categories():
    fashion = CategoryFactory(name="Fashion")
    electronics = CategoryFactory(name="Electronics")
    myntra = MerchantFactory(name="Myntra", categories=[fashion, electronics])
    OfferFactory(title="uncategorised", merchant=myntra)
    OfferFactory(title="own category wins", merchant=myntra, category=electronics)

    assert titles(selectors.offers_list(category_slug="fashion")) == ["uncategorised"]
    assert sorted(titles(selectors.offers_list(category_slug="electronics"))) == [
        "own category wins",
        "uncategorised",
    ]


def test_offers_list_filters_by_kind_and_discount_type():
    OfferFactory(title="code", kind=OfferKind.CODE)
    OfferFactory(title="bogo deal", discount_type=DiscountType.BOGO, discount_value=None)

    assert titles(selectors.offers_list(kind=OfferKind.CODE)) == ["code"]
    assert titles(selectors.offers_list(kind=OfferKind.UNIQUE_CODE)) == []
    assert titles(selectors.offers_list(discount_type=DiscountType.BOGO)) == ["bogo deal"]


def test_offers_list_min_discount_compares_percentage_and_amount_off_values():
    OfferFactory(title="20% off", discount_value=Decimal("20"))
    OfferFactory(title="5% off", discount_value=Decimal("5"))
    OfferFactory(title="₹300 off", discount_type=DiscountType.FIXED, discount_value=300)
    OfferFactory(title="free shipping", discount_type=DiscountType.FREE_SHIPPING)

    found = selectors.offers_list(min_discount=Decimal("10"), sort="newest")

    assert sorted(titles(found)) == ["20% off", "₹300 off"]


def test_offers_list_has_cashback_uses_the_offer_override_before_the_merchant():
    # given
    earning = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("5"))
    no_cashback = MerchantFactory(cashback_kind=CashbackKind.NONE, cashback_value=Decimal("0"))
    OfferFactory(title="merchant's 5%", merchant=earning)
    OfferFactory(
        title="override: none",
        merchant=earning,
        cashback_kind=CashbackKind.NONE,
        cashback_value=Decimal("3"),
    )
    OfferFactory(
        title="override: flat ₹50",
        merchant=no_cashback,
        cashback_kind=CashbackKind.FLAT,
        cashback_value=Decimal("50"),
    )
    OfferFactory(title="no cashback", merchant=no_cashback)

    # then
    assert sorted(titles(selectors.offers_list(has_cashback=True))) == [
        "merchant's 5%",
        "override: flat ₹50",
    ]
    assert sorted(titles(selectors.offers_list(has_cashback=False))) == [
        "no cashback",
        "override: none",
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"kind": "voucher"}, "kind"),
        ({"discount_type": "half_off"}, "discount_type"),
        ({"min_discount": Decimal("-1")}, "min_discount"),
    ],
)
def test_offers_list_refuses_unknown_values_with_a_value_error(arguments, field):
    with pytest.raises(ValueError, match=field) as refused:
        selectors.offers_list(**arguments)

    assert refused.value.field == field


# --- sorts -----------------------------------------------------------------------------------


def test_offers_list_popular_is_most_clicked_then_featured():
    OfferFactory(title="10 clicks", clicks_count=10)
    OfferFactory(title="99 clicks", clicks_count=99)
    OfferFactory(title="10 clicks featured", clicks_count=10, featured=True)

    assert titles(selectors.offers_list(sort="popular")) == [
        "99 clicks",
        "10 clicks featured",
        "10 clicks",
    ]


def test_offers_list_newest_is_latest_start_first():
    OfferFactory(title="last week", starts_at=ago(days=7))
    OfferFactory(title="an hour ago", starts_at=ago(hours=1))
    OfferFactory(title="yesterday", starts_at=ago(days=1))

    assert titles(selectors.offers_list(sort="newest")) == ["an hour ago", "yesterday", "last week"]


def test_offers_list_ending_is_soonest_end_first_and_leaves_out_offers_without_an_end():
    OfferFactory(title="in a week", ends_at=ahead(days=7))
    OfferFactory(title="in an hour", ends_at=ahead(hours=1))
    OfferFactory(title="never ends", ends_at=None)

    assert titles(selectors.offers_list(sort="ending")) == ["in an hour", "in a week"]


def test_offers_list_cashback_puts_percentages_first_then_flat_amounts_each_by_value():
    # given
    percent_2 = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=2)
    flat_500 = MerchantFactory(cashback_kind=CashbackKind.FLAT, cashback_value=500)
    none = MerchantFactory(cashback_kind=CashbackKind.NONE, cashback_value=0)
    OfferFactory(title="2%", merchant=percent_2)
    OfferFactory(title="₹500", merchant=flat_500)
    OfferFactory(title="none", merchant=none)
    OfferFactory(
        title="12% override", merchant=none, cashback_kind=CashbackKind.PERCENT, cashback_value=12
    )
    OfferFactory(
        title="₹40 override", merchant=percent_2, cashback_kind=CashbackKind.FLAT, cashback_value=40
    )

    # when
    ranked = selectors.offers_list(sort="cashback")

    # then
    assert titles(ranked) == ["12% override", "2%", "₹500", "₹40 override", "none"]


def test_offers_list_runs_one_query_whatever_the_filters(django_assert_num_queries):
    fashion = CategoryFactory(name="Fashion")
    OfferFactory.create_batch(5, category=fashion, merchant=MerchantFactory(name="Myntra"))

    with django_assert_num_queries(1):
        offers = list(
            selectors.offers_list(
                merchant_slug="myntra",
                category_slug="fashion",
                kind=OfferKind.DEAL,
                min_discount=Decimal("5"),
                has_cashback=True,
                sort="cashback",
            )
        )
        labels = [(offer.merchant.name, offer.category.name) for offer in offers]

    assert labels == [("Myntra", "Fashion")] * 5


# --- rails -----------------------------------------------------------------------------------


def test_offers_top_is_featured_then_most_clicked_live_offers():
    OfferFactory(title="popular", clicks_count=500)
    OfferFactory(title="featured", featured=True)
    OfferFactory(title="quiet", clicks_count=1)
    OfferFactory(title="ended", clicks_count=9999, starts_at=ago(days=9), ends_at=ago(days=1))

    assert titles(selectors.offers_top(limit=2)) == ["featured", "popular"]


def test_offers_expiring_are_live_offers_ending_within_the_days_soonest_first():
    OfferFactory(title="in 2 days", ends_at=ahead(days=2))
    OfferFactory(title="in 5 hours", ends_at=ahead(hours=5))
    OfferFactory(title="in 6 days", ends_at=ahead(days=6))
    OfferFactory(title="never ends", ends_at=None)
    OfferFactory(title="ended", starts_at=ago(days=9), ends_at=ago(hours=1))

    assert titles(selectors.offers_expiring(within_days=3)) == ["in 5 hours", "in 2 days"]
    assert titles(selectors.offers_expiring(within_days=7, limit=None)) == [
        "in 5 hours",
        "in 2 days",
        "in 6 days",
    ]


def test_offers_trending_follows_the_trending_order():
    # given
    quiet, hot, warm = (
        OfferFactory(title="quiet"),
        OfferFactory(title="hot"),
        OfferFactory(title="warm"),
    )
    for _ in range(3):
        trending.record_click(hot.pk)
    for _ in range(2):
        trending.record_click(warm.pk)
    trending.record_click(quiet.pk)

    # then
    assert titles(selectors.offers_trending()) == ["hot", "warm", "quiet"]
    assert titles(selectors.offers_trending(limit=2)) == ["hot", "warm"]


def test_offers_trending_skips_offers_that_are_no_longer_live():
    ended = OfferFactory(title="ended", starts_at=ago(days=9), ends_at=ago(days=1))
    live = OfferFactory(title="live")
    for _ in range(5):
        trending.record_click(ended.pk)
    trending.record_click(live.pk)

    assert titles(selectors.offers_trending()) == ["live"]


def test_offers_trending_falls_back_to_top_offers_when_nothing_is_trending():
    OfferFactory(title="featured", featured=True)
    OfferFactory(title="plain")

    assert titles(selectors.offers_trending()) == ["featured", "plain"]


def test_offers_for_merchant_lists_its_live_offers_optionally_of_one_kind():
    myntra = MerchantFactory(name="Myntra")
    OfferFactory(title="code", kind=OfferKind.CODE, merchant=myntra)
    OfferFactory(title="deal", merchant=myntra, featured=True)
    OfferFactory(title="paused", merchant=myntra, status=OfferStatus.PAUSED)
    OfferFactory(title="elsewhere")

    assert titles(selectors.offers_for_merchant(myntra)) == ["deal", "code"]
    assert titles(selectors.offers_for_merchant(myntra, kind=OfferKind.CODE)) == ["code"]
    with pytest.raises(ValueError, match="kind"):
        selectors.offers_for_merchant(myntra, kind="voucher")


# --- cashback labels and uses today ------------------------------------------------------------


def test_offer_cashback_label_prefers_the_offers_override():
    merchant = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("7"))
    plain = OfferFactory(merchant=merchant)
    boosted = OfferFactory(
        merchant=merchant, cashback_kind=CashbackKind.FLAT, cashback_value=Decimal("150")
    )

    assert selectors.offer_cashback_label(plain) == "Up to 7% cashback"
    assert selectors.offer_cashback_label(boosted) == "Flat \u20b9150.00 cashback"


def test_offers_uses_today_reads_every_offers_counter():
    from coupzii.core import counters

    first, second = OfferFactory(), OfferFactory()
    today = timezone.localdate().isoformat()
    counters.incr(f"offer:uses-today:{first.pk}:{today}", 3)

    assert selectors.offers_uses_today([first, second]) == {first.pk: 3, second.pk: 0}
    assert selectors.offers_uses_today([]) == {}


# --- search ----------------------------------------------------------------------------------


def test_search_finds_merchants_and_offers_by_name_and_title():
    flipkart = MerchantFactory(name="Flipkart")
    MerchantFactory(name="Amazon")
    OfferFactory(title="Big Billion Days: phones at 40% off", merchant=flipkart)
    OfferFactory(title="Prime day")

    results = selectors.search("flipkart")

    assert [merchant.slug for merchant in results.merchants] == ["flipkart"]
    assert results.merchants[0].live_offer_count == 1
    assert titles(results.offers) == ["Big Billion Days: phones at 40% off"]


def test_search_leaves_out_inactive_merchants_and_offers_that_are_not_live():
    closed = MerchantFactory(name="Jabong", is_active=False)
    OfferFactory(title="Jabong sale", merchant=closed)
    OfferFactory(title="Jabong ended", starts_at=ago(days=9), ends_at=ago(days=1))

    results = selectors.search("jabong")

    assert results.merchants == []
    assert results.offers == []


def test_search_for_nothing_finds_nothing():
    MerchantFactory(name="Flipkart")

    results = selectors.search("   ")

    assert (results.merchants, results.offers) == ([], [])


@on_sqlite_only
def test_search_on_sqlite_finds_substrings_and_ranks_name_matches_first():
    # given
    MerchantFactory(name="ShopClues", description="Cheaper than Flipkart, they say.")
    MerchantFactory(name="Flipkart Plus")
    MerchantFactory(name="Flipkart")
    MerchantFactory(name="Big Flipkart Outlet")

    # when
    found = [merchant.name for merchant in selectors.search("flipkart").merchants]

    # then: exact, prefix, anywhere in the name, then the description mention
    assert found == ["Flipkart", "Flipkart Plus", "Big Flipkart Outlet", "ShopClues"]
    assert [m.name for m in selectors.search("lipk").merchants][:1] == ["Big Flipkart Outlet"]


@pytest.mark.postgres
def test_search_on_postgres_ranks_an_exact_name_above_a_description_mention(pg_trgm):
    # given
    MerchantFactory(name="ShopClues", description="Flipkart prices, without the Flipkart wait.")
    MerchantFactory(name="Flipkart", description="India's homegrown marketplace.")
    mentions = OfferFactory(title="Phones cheaper than on Flipkart")
    OfferFactory(title="Flipkart sale", merchant=MerchantFactory(name="Flipkart Wholesale"))

    # when
    results = selectors.search("flipkart")

    # then
    assert [merchant.name for merchant in results.merchants] == [
        "Flipkart",
        "Flipkart Wholesale",
        "ShopClues",
    ]
    assert titles(results.offers) == ["Flipkart sale", mentions.title]


@pytest.mark.postgres
@pytest.mark.parametrize(("typed", "meant"), [("flipcart", "Flipkart"), ("amazn", "Amazon")])
def test_search_on_postgres_forgives_typos_in_merchant_names(pg_trgm, typed, meant):
    MerchantFactory(name="Flipkart")
    MerchantFactory(name="Amazon")
    MerchantFactory(name="Myntra")
    OfferFactory(title="Great Indian Festival", merchant=Merchant.objects.get(name=meant))

    results = selectors.search(typed)

    assert [merchant.name for merchant in results.merchants] == [meant]
    assert titles(results.offers) == ["Great Indian Festival"]


@pytest.mark.postgres
def test_search_on_postgres_without_pg_trgm_still_matches_words(monkeypatch):
    monkeypatch.setattr(selectors, "has_trigram_support", lambda: False)
    MerchantFactory(name="Flipkart")

    assert [m.name for m in selectors.search("flipkart").merchants] == ["Flipkart"]
    assert selectors.search("flipcart").merchants == []


# --- autocomplete -----------------------------------------------------------------------------


def test_autocomplete_suggests_merchants_first_then_offer_titles():
    myntra = MerchantFactory(name="Myntra")
    MerchantFactory(name="Mamaearth")
    offer = OfferFactory(title="Myntra end of reason sale", merchant=myntra)

    suggestions = selectors.autocomplete("myn")

    assert suggestions == [
        {"type": "merchant", "label": "Myntra", "slug": "myntra"},
        {
            "type": "offer",
            "label": "Myntra end of reason sale",
            "public_id": str(offer.public_id),
            "merchant_slug": "myntra",
        },
    ]


def test_autocomplete_puts_names_starting_with_the_text_first():
    MerchantFactory(name="The Souled Store")
    MerchantFactory(name="Souled Out")

    labels = [s["label"] for s in selectors.autocomplete("souled")]

    assert labels == ["Souled Out", "The Souled Store"]


def test_autocomplete_keeps_room_for_offers_within_the_limit():
    for n in range(6):
        MerchantFactory(name=f"Shop {n}")
    for n in range(6):
        OfferFactory(title=f"Shop deal {n}")

    suggestions = selectors.autocomplete("shop", limit=4)

    assert [s["type"] for s in suggestions] == ["merchant", "merchant", "offer", "offer"]
    assert selectors.autocomplete("", limit=4) == []


@pytest.mark.postgres
def test_autocomplete_on_postgres_forgives_a_typo(pg_trgm):
    MerchantFactory(name="Flipkart")

    assert [s["label"] for s in selectors.autocomplete("flipcart")] == ["Flipkart"]
