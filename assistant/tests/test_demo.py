"""Demo conversations (`manage.py seed_demo`): Asha's questions from the issue, each answered
on the demo data by the offline engine, and stored as the chat page shows them; idempotent."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from assistant import demo
from assistant.models import Conversation, Message, Role
from marketplace.models import LockerCoupon

pytestmark = pytest.mark.django_db

# question: the store the answer names, the card types of which it shows at least one
USEFUL = {
    "find ZARA coupons": ("Zara", {"offer"}),
    "best way to buy a ₹2,500 cart on Myntra": ("Myntra", {"pay_option"}),
    "where is my cashback from Flipkart?": ("Flipkart", {"cashback"}),
    # the store is whichever of Asha's coupons expires next: checked against its card below
    "which of my coupons expire this week?": ("", {"coupon"}),
    "sell my Swiggy coupon": ("Swiggy", {"action"}),
    "Zomato ke coupons dikhao": ("Zomato", {"offer"}),
}


@pytest.fixture
def asha(settings):
    # Even with a model endpoint set (here one that refuses every connection), the demo's
    # answers are the offline engine's: seeding never sends Asha's questions to a paid model.
    settings.DEBUG = True
    settings.OPENAI_API_KEY = "sk-demo"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    call_command("seed_demo", stdout=io.StringIO())
    return User.objects.get(email="asha@coupzii.test")


def answer_to(user, question: str) -> Message:
    asked = Message.objects.get(conversation__owner=user, role=Role.USER, content=question)
    return asked.conversation.messages.get(role=Role.ASSISTANT)


def test_each_demo_question_has_a_useful_stored_answer(asha):
    titles = set(Conversation.objects.filter(owner=asha).values_list("title", flat=True))
    assert titles == set(demo.DEMO_QUESTIONS) == set(USEFUL)

    for question, (store, card_types) in USEFUL.items():
        answer = answer_to(asha, question)

        assert answer.engine == "offline", question
        assert not answer.replaced, (question, answer.content)
        assert store in answer.content, (question, answer.content)
        assert card_types & {card["type"] for card in answer.cards}, (question, answer.cards)
        # every card can be acted on or opened: a real page behind it
        assert all(card["url"] or card["actions"] for card in answer.cards), question

    # the expiring answer names the store of each coupon it shows
    answer = answer_to(asha, "which of my coupons expire this week?")
    coupon_refs = [card["ref"] for card in answer.cards if card["type"] == "coupon"]
    stores = LockerCoupon.objects.filter(owner=asha, public_id__in=coupon_refs).values_list(
        "merchant__name", flat=True
    )
    assert stores and all(store in answer.content for store in stores), answer.content


def test_the_cart_answer_ranks_ways_to_pay_with_the_myntra_gift_card(asha):
    answer = answer_to(asha, "best way to buy a ₹2,500 cart on Myntra")

    assert [call["name"] for call in answer.tool_calls] == ["analyze_cart"]
    best = answer.cards[0]
    assert best["type"] == "pay_option"
    # the figures shown are the optimiser's, in the text and on the card
    pay_now = dict(best["facts"])["Pay now"]
    assert pay_now in answer.content
    gift_card_buttons = [
        action for action in best["actions"] if action["url"] == "/gift-cards/myntra/"
    ]
    assert gift_card_buttons and gift_card_buttons[0]["fields"]["quantity"] == "1"


def test_no_code_is_stored_in_the_demo_answers(asha):
    codes = [coupon.code for coupon in LockerCoupon.objects.filter(owner=asha) if coupon.code]
    for message in Message.objects.filter(conversation__owner=asha):
        stored = f"{message.content} {message.cards} {message.tool_calls}"
        assert not [code for code in codes if code in stored], message.content


def test_seeding_again_adds_no_conversation_nor_message(asha):
    counts = (Conversation.objects.count(), Message.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert (Conversation.objects.count(), Message.objects.count()) == counts


def test_a_conversation_asha_deleted_is_seeded_again_and_the_others_are_kept(asha):
    # given Asha deleted one demo conversation
    answer_to(asha, "sell my Swiggy coupon").conversation.delete()
    kept = set(Conversation.objects.filter(owner=asha).values_list("pk", flat=True))

    # when the assistant's demo runs again
    lines = []
    demo.seed(lines.append)

    # then only that question is asked again
    now = set(Conversation.objects.filter(owner=asha).values_list("pk", flat=True))
    assert kept < now and len(now - kept) == 1
    assert lines == ["1 new conversations for asha@coupzii.test"]
