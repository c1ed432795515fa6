"""Catalog reads: the category tree, merchant lists with live offer counts, related and
featured merchants, and cashback labels."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Max
from django.utils import timezone

from catalog import selectors
from catalog.models import CashbackKind, Category, Merchant
from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers.models import OfferStatus
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def slugs(merchants) -> list[str]:
    return [merchant.slug for merchant in merchants]


# --- categories -------------------------------------------------------------------------------


def test_categories_active_is_a_tree_of_active_categories_in_position_order(
    django_assert_num_queries,
):
    # given
    fashion = CategoryFactory(name="Fashion", position=2)
    electronics = CategoryFactory(name="Electronics", position=1)
    CategoryFactory(name="Shoes", parent=fashion, position=1)
    CategoryFactory(name="Bags", parent=fashion, position=2)
    CategoryFactory(name="Retired child", parent=fashion, is_active=False)
    CategoryFactory(name="Hidden", is_active=False)

    # when
    with django_assert_num_queries(2):
        tree = [
            (category.slug, [child.slug for child in category.children.all()])
            for category in selectors.categories_active()
        ]

    # then
    assert tree == [("electronics", []), ("fashion", ["shoes", "bags"])]
    assert electronics.slug == "electronics"


def test_category_by_slug_finds_an_active_category_with_its_children():
    fashion = CategoryFactory(name="Fashion")
    CategoryFactory(name="Shoes", parent=fashion)

    category = selectors.category_by_slug("fashion")

    assert [child.slug for child in category.children.all()] == ["shoes"]


def test_category_by_slug_does_not_find_an_inactive_or_unknown_category():
    CategoryFactory(name="Hidden", is_active=False)

    with pytest.raises(Category.DoesNotExist):
        selectors.category_by_slug("hidden")
    with pytest.raises(Category.DoesNotExist):
        selectors.category_by_slug("nowhere")


# --- merchants -------------------------------------------------------------------------------


def test_merchants_list_counts_only_live_offers():
    # given
    now = timezone.now()
    merchant = MerchantFactory(name="Myntra")
    OfferFactory(merchant=merchant)
    OfferFactory(merchant=merchant, ends_at=None)
    OfferFactory(merchant=merchant, starts_at=now - timedelta(days=9), ends_at=now - timedelta(1))
    OfferFactory(merchant=merchant, starts_at=now + timedelta(days=1))
    OfferFactory(merchant=merchant, status=OfferStatus.PAUSED)
    OfferFactory(merchant=merchant, status=OfferStatus.EXPIRED)
    MerchantFactory(name="Ajio")

    # when
    counts = {m.slug: m.live_offer_count for m in selectors.merchants_list()}

    # then
    assert counts == {"ajio": 0, "myntra": 2}


def test_merchants_list_is_active_merchants_a_to_z():
    MerchantFactory(name="Zomato")
    MerchantFactory(name="Ajio")
    MerchantFactory(name="Closed shop", is_active=False)

    assert slugs(selectors.merchants_list()) == ["ajio", "zomato"]


def test_merchants_list_filters_by_name_anywhere_ignoring_case():
    MerchantFactory(name="Flipkart")
    MerchantFactory(name="Big Flip Store")
    MerchantFactory(name="Amazon")

    assert slugs(selectors.merchants_list(q="FLIP")) == ["big-flip-store", "flipkart"]


def test_merchants_list_by_a_parent_category_includes_its_childrens_merchants_once():
    # given
    fashion = CategoryFactory(name="Fashion")
    shoes = CategoryFactory(name="Shoes", parent=fashion)
    electronics = CategoryFactory(name="Electronics")
    MerchantFactory(name="Myntra", categories=[fashion, shoes])
    MerchantFactory(name="Bata", categories=[shoes])
    MerchantFactory(name="Croma", categories=[electronics])
    offers_of = MerchantFactory(name="Ajio", categories=[fashion])
    OfferFactory.create_batch(3, merchant=offers_of)

    # when
    merchants = list(selectors.merchants_list(category_slug="fashion"))

    # then: no duplicate rows and counts not multiplied by the category join
    assert slugs(merchants) == ["ajio", "bata", "myntra"]
    assert merchants[0].live_offer_count == 3
    assert slugs(selectors.merchants_list(category_slug="shoes")) == ["bata", "myntra"]
    assert slugs(selectors.merchants_list(category_slug="nowhere")) == []


def test_merchants_list_filters_featured_both_ways():
    MerchantFactory(name="Amazon", featured=True)
    MerchantFactory(name="Bata")

    assert slugs(selectors.merchants_list(featured=True)) == ["amazon"]
    assert slugs(selectors.merchants_list(featured=False)) == ["bata"]
    assert slugs(selectors.merchants_list(featured=None)) == ["amazon", "bata"]


def test_merchants_list_runs_two_queries_however_many_merchants(django_assert_num_queries):
    fashion = CategoryFactory(name="Fashion")
    for _ in range(15):
        OfferFactory(merchant=MerchantFactory(categories=[fashion]))

    with django_assert_num_queries(2):
        rows = [
            (m.live_offer_count, [c.slug for c in m.categories.all()])
            for m in selectors.merchants_list()
        ]

    assert rows == [(1, ["fashion"])] * 15


def test_merchant_by_slug_finds_an_active_merchant_with_its_live_offer_count():
    merchant = MerchantFactory(name="Nykaa")
    OfferFactory.create_batch(2, merchant=merchant)

    found = selectors.merchant_by_slug("nykaa")

    assert found == merchant
    assert found.live_offer_count == 2


def test_merchant_by_slug_does_not_find_an_inactive_merchant():
    MerchantFactory(name="Jabong", is_active=False)

    with pytest.raises(Merchant.DoesNotExist):
        selectors.merchant_by_slug("jabong")


def test_merchants_related_share_a_category_and_exclude_the_merchant_itself():
    # given
    fashion = CategoryFactory(name="Fashion")
    beauty = CategoryFactory(name="Beauty")
    travel = CategoryFactory(name="Travel")
    myntra = MerchantFactory(name="Myntra", categories=[fashion, beauty])
    MerchantFactory(name="Ajio", categories=[fashion])
    MerchantFactory(name="Nykaa", categories=[beauty, fashion], featured=True)
    MerchantFactory(name="Closed", categories=[fashion], is_active=False)
    MerchantFactory(name="Goibibo", categories=[travel])

    # when
    related = selectors.merchants_related(myntra)

    # then: featured first, each merchant once
    assert slugs(related) == ["nykaa", "ajio"]
    assert slugs(selectors.merchants_related(myntra, limit=1)) == ["nykaa"]


def test_merchants_related_is_empty_for_a_merchant_without_categories():
    MerchantFactory(name="Ajio", categories=[CategoryFactory()])

    assert slugs(selectors.merchants_related(MerchantFactory(name="Loner"))) == []


def test_merchants_featured_puts_merchants_with_more_live_offers_first():
    amazon = MerchantFactory(name="Amazon", featured=True)
    OfferFactory.create_batch(2, merchant=amazon)
    MerchantFactory(name="Bata", featured=True)
    MerchantFactory(name="Croma")

    assert slugs(selectors.merchants_featured(limit=5)) == ["amazon", "bata"]
    assert slugs(selectors.merchants_featured(limit=1)) == ["amazon"]


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        (CashbackKind.PERCENT, Decimal("7.00"), "Up to 7% cashback"),
        (CashbackKind.PERCENT, Decimal("7.50"), "Up to 7.5% cashback"),
        (CashbackKind.PERCENT, Decimal("100.00"), "Up to 100% cashback"),
        (CashbackKind.FLAT, Decimal("150.00"), "Flat \u20b9150.00 cashback"),
        (CashbackKind.FLAT, Decimal("1500.50"), "Flat \u20b91,500.50 cashback"),
        (CashbackKind.NONE, Decimal("5.00"), ""),
        (CashbackKind.PERCENT, Decimal("0.00"), ""),
        (CashbackKind.FLAT, None, ""),
    ],
)
def test_cashback_label_says_what_the_shopper_earns(kind, value, label):
    assert selectors.cashback_label(kind, value) == label


# --- a store's best cashback -------------------------------------------------------------------


def _headline(merchant: Merchant) -> str:
    return selectors.merchant_cashback_label(selectors.merchant_by_slug(merchant.slug))


def test_a_stores_headline_is_its_best_rate_its_own_or_a_live_offers():
    # given a 3% store with one live offer boosted to 8% and an ended one at 12%
    store = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("3"))
    OfferFactory(merchant=store)
    OfferFactory(merchant=store, cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("8"))
    OfferFactory(
        merchant=store,
        cashback_kind=CashbackKind.PERCENT,
        cashback_value=Decimal("12"),
        status=OfferStatus.EXPIRED,
    )

    # then the header, the cards and the API read the same best rate
    assert _headline(store) == "Up to 8% cashback"
    (card,) = selectors.merchants_list(q=store.name)
    assert selectors.merchant_best_cashback(card) == (CashbackKind.PERCENT, Decimal("8.00"))


@pytest.mark.parametrize(
    ("store_rate", "offer_rates", "headline"),
    [
        pytest.param((CashbackKind.PERCENT, "5"), [], "Up to 5% cashback", id="its own rate"),
        pytest.param(
            (CashbackKind.PERCENT, "5"),
            [(CashbackKind.PERCENT, "2")],
            "Up to 5% cashback",
            id="a lower offer",
        ),
        pytest.param(
            (CashbackKind.FLAT, "100"),
            [(CashbackKind.FLAT, "150")],
            "Up to \u20b9150.00 cashback",
            id="a higher flat offer",
        ),
        pytest.param(
            (CashbackKind.FLAT, "100"), [], "Flat \u20b9100.00 cashback", id="flat on everything"
        ),
        pytest.param(
            (CashbackKind.FLAT, "100"),
            [(CashbackKind.PERCENT, "4")],
            "Up to 4% cashback",
            id="a percentage above a flat amount",
        ),
        pytest.param(
            (CashbackKind.NONE, "0"),
            [(CashbackKind.NONE, "0")],
            "",
            id="none anywhere",
        ),
        pytest.param(
            (CashbackKind.NONE, "0"),
            [(CashbackKind.PERCENT, "6")],
            "Up to 6% cashback",
            id="only an offer pays",
        ),
    ],
)
def test_a_stores_headline_follows_one_rule(store_rate, offer_rates, headline):
    kind, value = store_rate
    store = MerchantFactory(cashback_kind=kind, cashback_value=Decimal(value))
    for offer_kind, offer_value in offer_rates:
        OfferFactory(merchant=store, cashback_kind=offer_kind, cashback_value=Decimal(offer_value))

    assert _headline(store) == headline


def test_merchant_lists_read_the_best_rate_in_their_fixed_queries(django_assert_num_queries):
    for number in range(5):
        store = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("2"))
        OfferFactory(
            merchant=store, cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal(3 + number)
        )

    with django_assert_num_queries(2):  # merchants, then their categories
        labels = sorted(selectors.merchant_cashback_label(m) for m in selectors.merchants_list())

    assert labels == [f"Up to {rate}% cashback" for rate in range(3, 8)]


# --- what catalog knows of offers: only the rule offers registers ------------------------------


def test_merchant_cards_count_live_offers_by_the_rule_offers_registered(monkeypatch):
    # given a 3% store with an 8% live offer, and offers' rule (registered at start-up) swapped
    # for one that counts every offer, ended ones too
    store = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("3"))
    OfferFactory(merchant=store, cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("8"))
    OfferFactory(merchant=store, status=OfferStatus.EXPIRED)
    assert selectors.merchant_by_slug(store.slug).live_offer_count == 1  # offers' own rule
    every_offer = selectors.MerchantOffers(
        live_count=lambda now: Count("offers"),
        best_rate=lambda kind, now: Max("offers__cashback_value"),
    )
    monkeypatch.setattr(selectors, "_merchant_offers", [every_offer])

    # then catalog follows the registered rule
    assert selectors.merchant_by_slug(store.slug).live_offer_count == 2


def test_without_a_registered_rule_a_merchant_has_no_live_offers_and_its_own_rate(monkeypatch):
    store = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("3"))
    OfferFactory(merchant=store, cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("8"))
    monkeypatch.setattr(selectors, "_merchant_offers", [])

    card = selectors.merchant_by_slug(store.slug)

    assert card.live_offer_count == 0
    assert selectors.merchant_best_cashback(card) == (CashbackKind.PERCENT, Decimal("3.00"))
