"""A shopper who leaves mid-answer (the stream is closed part way): the conversation keeps what
they were shown, the cards and the tool calls, and nothing they were not shown."""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from assistant.chat import chat_reply
from assistant.models import Message, Role
from assistant.turns import sse_parse, sse_response

from .openai_loopback import call, text_reply, tool_reply

pytestmark = pytest.mark.django_db


def test_leaving_after_the_cards_keeps_them_with_the_tool_calls(asha, zara_offer):
    seen = []
    turn = chat_reply(user=asha, message="find ZARA coupons")
    for event in turn:
        seen.append(event)
        if event["type"] == "cards":
            break
    turn.close()

    stored = Message.objects.get(role=Role.ASSISTANT)
    shown_cards = [card for event in seen if event["type"] == "cards" for card in event["cards"]]
    assert stored.cards == shown_cards
    assert stored.tool_calls[0]["name"] == "search_offers"
    assert stored.content == "".join(e["delta"] for e in seen if e["type"] == "text").strip()
    assert stored.engine == "offline" and not stored.replaced


def test_leaving_mid_answer_keeps_the_words_shown_and_no_more(asha, model):
    words = [
        "Your wallet ",
        "is shown ",
        "on the card ",
        "below, ",
        "with every ",
        "entry ",
        "in it.",
    ]
    model.script(tool_reply(call("my_wallet")), text_reply(*words, chunk_delay=0.05))
    response = sse_response(chat_reply(user=asha, message="my wallet"))
    body = b""
    for chunk in response.streaming_content:
        body += chunk
        if b"event: text" in chunk:
            break
    # Closing a response fires request_finished, whose handler closes the database connection
    # (and with it the test's transaction): held off here, as Django's test client does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

    shown = "".join(e["delta"] for e in sse_parse(body) if e["type"] == "text").strip()
    stored = Message.objects.get(role=Role.ASSISTANT)
    assert shown and stored.content == shown
    assert stored.content != "".join(words).strip()
    assert [entry["name"] for entry in stored.tool_calls] == ["my_wallet"]
    assert stored.engine == "openai"
