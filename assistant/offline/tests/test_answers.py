"""How the offline answers join the tools' sentences, and what they say back of the shopper's
own figures."""

import re

import pytest
from django.utils import translation

from assistant.offline.answers import cart_answer

from .conftest import ask

pytestmark = pytest.mark.django_db

DOUBLED = re.compile(r"[.।][;.।]|[;।.]\s*[;।]")


def analysis(*reasons: str) -> dict:
    option = {
        "summary": "use the store's offer",
        "pay_now": "₹900.00",
        "saving": "₹100.00",
        "cashback": "₹0.00",
        "cashback_by": None,
        "net_price": "₹900.00",
    }
    return {
        "subtotal": "₹1,000.00",
        "options": [option],
        "not_applicable": [
            {"title": {"quoted": f"Coupon {n}"}, "reason": reason}
            for n, reason in enumerate(reasons, start=1)
        ],
    }


@pytest.mark.parametrize(
    ("language", "reasons", "expected"),
    [
        (
            "hi",
            ["यह सिर्फ़ कुछ कैटेगरी पर लागू होता है; बताएँ कि आइटम किस तरह के हैं।", "स्टोर यह देता है।"],
            "Coupon 1: यह सिर्फ़ कुछ कैटेगरी पर लागू होता है; बताएँ कि आइटम किस तरह के हैं। "
            "Coupon 2: स्टोर यह देता है",
        ),
        (
            "en",
            ["It covers only some categories (Fashion); say what the items are.", "It expired."],
            "Coupon 1: It covers only some categories (Fashion); say what the items are. "
            "Coupon 2: It expired.",
        ),
    ],
)
def test_reasons_follow_one_another_as_whole_sentences_without_doubled_marks(
    language, reasons, expected
):
    with translation.override(language):
        text = " ".join(cart_answer(analysis(*reasons), store="AJIO"))

    assert expected in text
    assert not DOUBLED.search(text), text


def test_a_reason_without_its_own_full_stop_gets_one_in_the_answers_language():
    with translation.override("hi"):
        text = " ".join(cart_answer(analysis("पहला कारण", "दूसरा कारण।"), store="AJIO"))

    assert "Coupon 1: पहला कारण। Coupon 2: दूसरा कारण" in text
    assert not DOUBLED.search(text), text


@pytest.mark.parametrize(
    ("language", "question"),
    [("en", "best way to buy a ₹2,500 cart on Myntra"), ("hi", "Myntra par 2500 ka cart")],
)
def test_a_cart_answer_has_no_doubled_marks(scene, language, question):
    answer = ask(scene.asha, question, language=language)

    assert not answer.replaced, answer.text
    assert not DOUBLED.search(answer.text), answer.text


def test_selling_at_a_price_says_the_price_the_shopper_gave(scene):
    answer = ask(scene.asha, "sell my Swiggy coupon for 60")

    assert not answer.replaced, answer.text
    assert "at your price, ₹60.00" in answer.text
    (action,) = [card for card in answer.cards if card["type"] == "action"]
    assert ["Suggested price", "₹60.00"] in [list(fact) for fact in action["facts"]]


def test_selling_without_a_price_leaves_it_to_the_sell_page(scene):
    answer = ask(scene.asha, "sell my Swiggy coupon")

    assert "you set the price there" in answer.text
    assert "your price" not in answer.text
