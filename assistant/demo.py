"""Demo conversations for `manage.py seed_demo`: Asha asks the issue's examples (one in
Hinglish), each in a conversation of its own, and the offline engine answers them through
chat.chat_reply, as the page would: the stored answers, cards and tool calls are the real ones
on the demo data of the apps seeded before this one.

Idempotent: a question Asha has already asked in any conversation of hers is not asked again.
Runs last but one (after the marketplace demo, whose lockers and listings the answers read).
"""

from django.utils import translation

from accounts.models import User

from .chat import chat_reply
from .engines import offline_engine
from .models import Message, Role

DEMO_SHOPPER = "asha@coupzii.test"
# The examples, in the order a visitor reads them; the last is Hinglish.
DEMO_QUESTIONS = [
    "find ZARA coupons",
    "best way to buy a ₹2,500 cart on Myntra",
    "where is my cashback from Flipkart?",
    "which of my coupons expire this week?",
    "sell my Swiggy coupon",
    "Zomato ke coupons dikhao",
]


def seed(log) -> None:
    asha = User.objects.filter(email=DEMO_SHOPPER).first()
    if asha is None:
        return
    asked = set(
        Message.objects.filter(
            conversation__owner=asha, role=Role.USER, content__in=DEMO_QUESTIONS
        ).values_list("content", flat=True)
    )
    added = 0
    # The demo shows the embedded default's own answers: with a model key set, seeding would
    # otherwise send Asha's questions to a paid endpoint and store whatever it said that day.
    with translation.override(asha.language):
        for question in DEMO_QUESTIONS:
            if question in asked:
                continue
            events = list(chat_reply(user=asha, message=question, engine=offline_engine()))
            problem = _problem(events)
            if problem:
                log(f"{question!r}: {problem}")
            added += any(event["type"] == "done" for event in events)
    log(f"{added} new conversations for {DEMO_SHOPPER}")


def _problem(events: list[dict]) -> str:
    """What went wrong with a turn (its events, all read: the answer is stored at the end), or
    "" when it answered."""
    for event in events:
        if event["type"] == "error":
            return f"refused: {event['message']}"
        if event["type"] == "replace":
            return "the answer was replaced by its cards"
    return ""
