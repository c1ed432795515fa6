"""Reading a shopper's message without a model: intents, stores (typos, Hindi spellings),
amounts, days and follow-ups, over the demo catalog's names (no database needed)."""

from decimal import Decimal

import pytest

from assistant.offline.names import (
    _CATEGORY_FILLER,
    CatalogNames,
    CategoryName,
    GiftCardName,
    StoreName,
    _words,
    compact,
    consonant_skeleton,
    phonetic_key,
)
from assistant.offline.parse import Intent, amount_in, question_read, transliterate
from catalog.demo import CATEGORIES, CATEGORY_NAMES_HI, MERCHANTS


def _store(name: str, slug: str, categories=()) -> StoreName:
    return StoreName(
        slug=slug,
        name=name,
        compact=compact(name),
        key=phonetic_key(name),
        skeleton=consonant_skeleton(name),
        category_slugs=tuple(categories),
    )


@pytest.fixture(scope="module")
def names() -> CatalogNames:
    """The demo catalog's names, as names.catalog_names() builds them from the database."""
    stores = tuple(_store(row[0], row[1], row[4]) for row in MERCHANTS)
    categories = tuple(
        CategoryName(
            slug=slug,
            name=name,
            words=frozenset(
                (_words(name) | _words(CATEGORY_NAMES_HI[slug]) | set(slug.split("-")))
                - _CATEGORY_FILLER
            ),
        )
        for slug, name, _icon, _parent in CATEGORIES
    )
    gift_cards = (
        GiftCardName("myntra", "Myntra Gift Card", "myntra", frozenset({"myntra", "gift", "card"})),
        GiftCardName(
            "amazon-pay",
            "Amazon Pay Gift Card",
            "amazon",
            frozenset({"amazon", "pay", "gift", "card"}),
        ),
    )
    return CatalogNames(stores=stores, categories=categories, gift_cards=gift_cards)


def read(message, names, history=None):
    return question_read(message, history=history, names=names)


# The examples, their Hinglish and Hindi forms, and what each must be read as.
EXAMPLES = [
    ("find ZARA coupons", Intent.OFFERS, "zara"),
    ("best way to buy a ₹2,500 cart on Myntra", Intent.CART, "myntra"),
    ("where is my cashback from Flipkart?", Intent.CASHBACK, "flipkart"),
    ("which of my coupons expire this week?", Intent.EXPIRING, None),
    ("sell my Swiggy coupon", Intent.SELL, "swiggy"),
    ("Zomato ke coupons", Intent.OFFERS, "zomato"),
    ("Myntra par 2500 ka cart", Intent.CART, "myntra"),
    ("mera Flipkart cashback kahan hai", Intent.CASHBACK, "flipkart"),
    ("kaunse coupon is hafte expire", Intent.EXPIRING, None),
    ("Swiggy coupon bechna hai", Intent.SELL, "swiggy"),
    ("ज़ोमैटो कूपन", Intent.OFFERS, "zomato"),
    ("स्विगी कूपन बेचना है", Intent.SELL, "swiggy"),
    ("फ्लिपकार्ट कैशबैक कहाँ है", Intent.CASHBACK, "flipkart"),
    ("मिंत्रा ऑफ़र", Intent.OFFERS, "myntra"),
    ("swap my Nykaa coupon", Intent.SWAP, "nykaa"),
    ("amazon gift card", Intent.GIFT_CARDS, "amazon"),
    ("what's my wallet balance", Intent.WALLET, None),
    ("mujhe paise withdraw karne hain", Intent.WALLET, None),
    ("show my orders", Intent.ORDERS, None),
    ("my coupons", Intent.LOCKER, None),
    ("which coupons can I buy on the marketplace", Intent.LISTINGS, None),
    ("hello", Intent.HELP, None),
    ("what can you do?", Intent.HELP, None),
    ("namaste", Intent.HELP, None),
]


@pytest.mark.parametrize(("message", "intent", "store"), EXAMPLES)
def test_examples_are_read_with_their_intent_and_store(names, message, intent, store):
    question = read(message, names)

    assert question.intent == intent
    assert (question.store.slug if question.store else None) == store


@pytest.mark.parametrize(
    ("typed", "store"),
    [
        ("myntr", "myntra"),
        ("MYNTRA", "myntra"),
        ("flipcart", "flipkart"),
        ("swigy", "swiggy"),
        ("amazn", "amazon"),
        ("nykka", "nykaa"),
        ("zomto", "zomato"),
        ("Tata CLiQ", "tata-cliq"),
        ("tatacliq", "tata-cliq"),
        ("shoppers stop", "shoppers-stop"),
        ("domino's", "dominos"),
        ("dominos", "dominos"),
        ("book my show", "bookmyshow"),
        ("1mg", "1mg"),
        ("make my trip", "makemytrip"),
    ],
)
def test_store_names_are_found_despite_typos_case_and_spaces(names, typed, store):
    question = read(f"{typed} coupons", names)

    assert question.store is not None and question.store.slug == store


@pytest.mark.parametrize(
    "message",
    ["fashion offers", "order pizza", "where is my refund", "show me some offers", "coupons"],
)
def test_ordinary_words_are_not_taken_for_stores(names, message):
    assert read(message, names).stores == []


def test_two_stores_are_kept_in_the_order_named(names):
    question = read("swap my swiggy coupon for a zomato one", names)

    assert [store.slug for store in question.stores] == ["swiggy", "zomato"]


@pytest.mark.parametrize(
    ("message", "amount"),
    [
        ("a ₹2,500 cart", Decimal("2500.00")),
        ("Rs. 2500 ka cart", Decimal("2500.00")),
        ("2500 ka cart", Decimal("2500.00")),
        ("a 2.5k cart", Decimal("2500.00")),
        ("INR 1,24,999.50 cart", Decimal("124999.50")),
        ("२५०० का कार्ट", Decimal("2500.00")),
        ("coupons expiring in 3 days", None),
        ("20% off", None),
        ("1mg coupons", None),
    ],
)
def test_amounts_are_read_in_the_ways_shoppers_write_them(message, amount):
    assert amount_in(message) == amount


@pytest.mark.parametrize(
    ("message", "days"),
    [
        ("which coupons expire today", 0),
        ("kaunse coupon kal expire", 1),
        ("which of my coupons expire this week?", 7),
        ("coupons expiring in 3 days", 3),
        ("कौनसे कूपन इस हफ़्ते एक्सपायर होंगे", 7),
        ("coupons expiring this month", 30),
        ("my expiring coupons", None),
    ],
)
def test_how_far_ahead_an_expiry_question_looks(names, message, days):
    question = read(message, names)

    assert question.intent == Intent.EXPIRING
    assert question.days == days


def test_a_bare_store_continues_the_previous_question(names):
    history = [
        {"role": "user", "content": "where is my cashback from Flipkart?"},
        {"role": "assistant", "content": "₹176.00 from Flipkart is pending."},
    ]

    question = read("and Myntra?", names, history)

    assert question.intent == Intent.CASHBACK
    assert question.store.slug == "myntra"


def test_a_bare_time_continues_an_expiry_question(names):
    history = [{"role": "user", "content": "which of my coupons expire this week?"}]

    question = read("this month?", names, history)

    assert (question.intent, question.days) == (Intent.EXPIRING, 30)


def test_a_bare_store_without_history_asks_for_its_offers(names):
    assert read("Myntra", names).intent == Intent.OFFERS


def test_a_category_is_found_by_its_english_or_hindi_name(names):
    assert read("electronics deals", names).category.slug == "electronics"
    assert read("फ़ैशन ऑफ़र", names).category.slug == "fashion"


def test_unknown_words_are_kept_for_a_search(names):
    question = read("where can I get free delivery", names)

    assert question.intent == Intent.UNKNOWN
    assert question.rest == ["free", "delivery"]


@pytest.mark.parametrize(
    ("hindi", "latin"),
    [("ज़ोमैटो", "zomaito"), ("मिंत्रा", "mintra"), ("स्विगी", "svigi"), ("नायका", "nayaka")],
)
def test_devanagari_is_transliterated_as_typed(hindi, latin):
    assert transliterate(hindi) == latin


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("swigy coupn", Intent.OFFERS),
        ("flipkart cashbak kahan hai", Intent.CASHBACK),
        ("coupons expirng this week", Intent.EXPIRING),
        ("my walet balance", Intent.WALLET),
    ],
)
def test_misspelt_keywords_are_read_as_meant(names, message, intent):
    assert read(message, names).intent == intent


def test_a_store_with_words_not_understood_asks_for_its_offers(names):
    question = read("myntra something", names)

    assert (question.intent, question.store.slug) == (Intent.OFFERS, "myntra")


def test_the_things_in_a_cart_name_their_category(names):
    # "for shoes" makes a Footwear cart, so a Footwear-only coupon can apply to it.
    question = read("cheapest way to pay 1800 on ajio for shoes", names)
    assert question.intent == Intent.CART
    assert question.category.slug == "footwear"
    assert read("kapde ke coupons", names).category.slug == "fashion"
    assert read("best way to pay 20000 for a laptop on croma", names).category.slug == (
        "electronics"
    )


def test_a_category_named_outright_wins_over_a_thing(names):
    assert read("electronics deals for my phone", names).category.slug == "electronics"
