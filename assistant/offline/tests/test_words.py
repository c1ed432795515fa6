"""How the offline answers and their cards read: dates as the site's pages write them, in the
shopper's language, and in Hindi no English sentence or label left untranslatable (every
string the shopper reads is marked for translation)."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import trans_real

from wallet.models import ArrivalEstimate, CashbackEvent

from .conftest import ask, latest_calls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "question"),
    [("en", "which of my coupons expire this week?"), ("hi", "kaunse coupon is hafte expire")],
)
def test_the_expiring_answer_writes_the_date_as_the_site_does(scene, language, question):
    expires = scene.coupons["swiggy"].expires_on

    answer = ask(scene.asha, question, language=language)

    with translation.override(language):
        shown = date_format(expires)
    assert not answer.replaced, answer.text
    assert shown in answer.text
    assert expires.isoformat() not in answer.text
    coupon_card = next(card for card in answer.cards if card["type"] == "coupon")
    assert shown in dict(coupon_card["facts"]).values()


def test_the_cashback_answer_writes_its_dates_as_the_site_does(scene):
    event = CashbackEvent.objects.get(user=scene.asha)

    answer = ask(scene.asha, "where is my cashback from Flipkart?")

    assert not answer.replaced, answer.text
    assert f"shopped on {date_format(timezone.localdate(event.occurred_at))}" in answer.text
    assert f"confirm it by {date_format(event.expected_confirmation)}" in answer.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", answer.text)


def learned(event, *, low: int, high: int, store: bool = True) -> None:
    """What the nightly learning would have written for `event`'s store (or its network)."""
    ArrivalEstimate.objects.create(
        network=event.network,
        merchant=event.merchant if store else None,
        confirmed=40,
        declined=2,
        confirm_low_days=low,
        confirm_median_days=(low + high) // 2,
        confirm_high_days=high,
        computed_at=timezone.now(),
    )


@pytest.mark.parametrize(("language", "store"), [("en", True), ("en", False), ("hi", True)])
def test_a_pending_cashback_with_a_learned_range_is_likely_confirmed_between_its_dates(
    scene, pseudo_hindi, language, store
):
    # given: Flipkart's (or its network's) cashback is confirmed 20 to 45 days after it is
    # reported, and Asha's was reported today
    event = CashbackEvent.objects.get(user=scene.asha)
    learned(event, low=20, high=45, store=store)
    reported = timezone.localdate(event.created_at)

    # when
    answer = ask(scene.asha, "where is my cashback from Flipkart?", language=language)

    # then: the tracker's range, its dates as the site writes them, grounded in the tool's data
    assert not answer.replaced, answer.text
    with translation.override(language):
        start = date_format(reported + timedelta(days=20))
        end = date_format(reported + timedelta(days=45))
    if language == "en":
        assert f"is pending: likely confirmed between {start} and {end}." in answer.text
    assert start in answer.text
    assert end in answer.text
    assert "confirm it by" not in answer.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", answer.text)


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        (True, "taking longer than usual: most of Flipkart's cashback is confirmed within 6 days."),
        (
            False,
            "taking longer than usual: most cashback through Admitad is confirmed within 1 day.",
        ),
    ],
)
def test_a_pending_cashback_past_its_range_is_taking_longer_than_usual(scene, store, expected):
    # given: Asha's cashback was reported 10 days ago; Flipkart's (or the network's) is
    # confirmed within fewer days
    event = CashbackEvent.objects.get(user=scene.asha)
    CashbackEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=10))
    learned(event, low=0 if not store else 2, high=6 if store else 1, store=store)

    answer = ask(scene.asha, "where is my cashback from Flipkart?")

    assert not answer.replaced, answer.text
    assert expected in answer.text
    assert "likely confirmed between" not in answer.text


def test_the_cart_answer_writes_the_cashback_date_as_the_site_does(scene):
    answer = ask(scene.asha, "best way to buy a ₹2,500 cart on Zomato")

    assert not answer.replaced, answer.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", answer.text + json.dumps(answer.cards))


# --- Hindi: nothing unmarked --------------------------------------------------------------------

# %(name)s, %d, %%: left as they are, so the sentence still formats.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-z%]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def _pseudo(text: str) -> str:
    """`text` with its Latin letters written full width (U+FF21 on), placeholders kept."""
    pieces = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(_wide(text[last : match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_wide(text[last:]))
    return "".join(pieces)


def _wide(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalpha() else ch for ch in text)


@pytest.fixture
def pseudo_hindi(monkeypatch):
    """Hindi in which every string marked for translation that the lead has not translated yet
    reads full width: whatever Latin words are left were never marked."""
    hindi = trans_real.translation("hi")
    gettext, ngettext = hindi.gettext, hindi.ngettext

    def marked(message):
        translated = gettext(message)
        return _pseudo(translated) if translated == message else translated

    def marked_plural(singular, plural, number):
        translated = ngettext(singular, plural, number)
        return _pseudo(translated) if translated in (singular, plural) else translated

    monkeypatch.setattr(hindi, "gettext", marked)
    monkeypatch.setattr(hindi, "ngettext", marked_plural)


# The shopper's questions of the issue and the rest of what the offline engine answers.
HINDI_QUESTIONS = [
    "Zomato ke coupons",
    "find ZARA coupons",
    "Myntra par 2500 ka cart",
    "mera Flipkart cashback kahan hai",
    "kaunse coupon is hafte expire",
    "which coupons expire today?",
    "my coupons",
    "Swiggy coupon bechna hai",
    "swap my Nykaa coupon for a Zomato one",
    "Zomato coupons on the marketplace",
    "Myntra gift cards",
    "claim a Myntra welcome code",
    "what is my wallet balance?",
    "my orders",
    "hello",
]

# Names are not translated: stores, offers' and gift cards' titles as their brands wrote them.
_NAME_KEYS = {"store", "name", "brand", "quoted", "gift_card", "category"}


def _names(value, key: str = "") -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_names(item, name) for name, item in value.items()), set())
    if isinstance(value, list):
        return set().union(*(_names(item, key) for item in value), set())
    if isinstance(value, str) and key in _NAME_KEYS:
        return set(_ENGLISH_WORD.findall(value))
    return set()


def _card_words(cards: list[dict]) -> set[str]:
    shown = []
    for card in cards:
        shown += [card["subtitle"], *(label for label, _value in card["facts"])]
        shown += [value for _label, value in card["facts"]]
        shown += [action["label"] for action in card["actions"]]
    return set(_ENGLISH_WORD.findall(" ".join(shown)))


@pytest.mark.parametrize("question", HINDI_QUESTIONS)
def test_a_hindi_answer_and_its_cards_have_no_unmarked_english(scene, pseudo_hindi, question):
    answer = ask(scene.asha, question, language="hi")

    calls = latest_calls(scene.asha)
    names = _names([call["result"] for call in calls]) | {
        "Coupzii",  # the site's own name
        # the stores' names in the scene, as the offline engine reads them from the catalog
        *(word for store in scene.stores.values() for word in _ENGLISH_WORD.findall(store.name)),
        # categories without a Hindi name fall back to English, as on every page
        "Electronics",
        "Beauty",
        "Personal",
        "Care",
    }
    assert answer.text.strip(), question
    assert not answer.replaced, (question, answer.text)
    unmarked = (set(_ENGLISH_WORD.findall(answer.text)) | _card_words(answer.cards)) - names
    assert not unmarked, (question, unmarked, answer.text)
