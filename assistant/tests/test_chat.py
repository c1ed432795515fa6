"""One chat turn (assistant.chat.chat_reply) as the pages and the API consume it: the order of
its events, what is kept (the question before the engine runs, the answer after), the daily
limit, and the gathered answer (assistant.turns.reply_gather) matching what was streamed and
stored, including when the language model fails part way and the offline engine answers."""

import pytest
from django.conf import settings as django_settings

from assistant.chat import chat_reply
from assistant.models import Conversation, Message, Role
from assistant.tests.factories import ConversationFactory, MessageFactory
from assistant.turns import reply_gather, sse_event, sse_parse, sse_response

from .openai_loopback import raw_reply, text_reply

pytestmark = pytest.mark.django_db


def ask(user, message, **kwargs) -> list[dict]:
    return list(chat_reply(user=user, message=message, **kwargs))


def test_a_turn_starts_with_its_conversation_and_ends_with_the_engine(asha, zara_offer):
    events = ask(asha, "find ZARA coupons")
    conversation = Conversation.objects.get(owner=asha)
    assert events[0] == {
        "type": "conversation",
        "id": str(conversation.public_id),
        "title": "find ZARA coupons",
    }
    assert events[-1] == {"type": "done", "engine": "offline"}
    assert {event["type"] for event in events[1:-1]} <= {"text", "cards", "replace"}


def test_the_offline_answer_is_kept_with_its_cards_and_tool_calls(asha, zara_offer):
    # when
    events = ask(asha, "find ZARA coupons")
    # then: what was streamed is what was stored
    gathered = reply_gather(events)
    stored = Message.objects.get(role=Role.ASSISTANT)
    assert stored.content == gathered["text"] and stored.content
    assert stored.cards == gathered["cards"]
    assert any(card["title"] == "Flat 20% off on Zara" for card in stored.cards)
    assert stored.engine == "offline" and not stored.replaced
    assert stored.tool_calls and all("name" in call for call in stored.tool_calls)
    # the offer's code reached neither the shopper's cards nor the stored tool results
    assert zara_offer.code not in str(stored.cards) + str(stored.tool_calls)


def test_the_question_is_tidied_and_cut_to_the_longest_allowed(asha):
    ask(asha, "  where   is my\n cashback  " + "x" * 2000)
    question = Message.objects.get(role=Role.USER)
    assert question.content.startswith("where is my cashback x")
    assert len(question.content) == django_settings.ASSISTANT_MESSAGE_MAX_CHARS


def test_the_question_is_kept_even_when_the_answer_never_finishes(asha):
    # The client goes away after the first event: the generator is closed there.
    turn = chat_reply(user=asha, message="which of my coupons expire this week?")
    assert next(turn)["type"] == "conversation"
    turn.close()
    assert list(Message.objects.values_list("role", flat=True)) == [Role.USER]


def test_a_follow_up_goes_into_the_same_conversation(asha):
    ask(asha, "find ZARA coupons")
    conversation = Conversation.objects.get()
    events = ask(asha, "and Myntra?", conversation=conversation)
    assert events[0]["id"] == str(conversation.public_id)
    assert conversation.messages.count() == 4
    assert Conversation.objects.count() == 1


def test_past_the_daily_limit_the_turn_is_one_error_and_keeps_nothing(asha, settings):
    settings.ASSISTANT_MESSAGES_PER_DAY = 1
    MessageFactory(conversation=ConversationFactory(owner=asha))
    events = ask(asha, "sell my Swiggy coupon")
    assert [event["type"] for event in events] == ["error"]
    assert events[0]["code"] == "assistant_daily_limit"
    assert Conversation.objects.count() == 1 and Message.objects.count() == 1
    gathered = reply_gather(events)
    assert gathered["error"]["code"] == "assistant_daily_limit"
    assert gathered["conversation"] is None


def test_events_survive_the_wire_unchanged(asha, zara_offer):
    events = ask(asha, "find ZARA coupons")
    wire = b"".join(sse_event(event) for event in events)
    assert sse_parse(wire) == events


def test_the_gathered_answer_drops_a_failed_models_words_for_the_offline_answer(asha, model):
    # given: a model that starts an answer and is cut off
    model.script(
        raw_reply(
            b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
            b'"choices":[{"index":0,"delta":{"content":"Half an"},"finish_reason":null}]}\n\n'
        )
    )
    # when
    events = ask(asha, "where is my cashback from Flipkart?")
    # then
    kinds = [event["type"] for event in events]
    assert {"type": "replace", "text": ""} in events
    assert kinds[-1] == "done" and events[-1]["engine"] == "offline"
    gathered = reply_gather(events)
    assert "Half an" not in gathered["text"]
    assert not gathered["replaced"]
    stored = Message.objects.get(role=Role.ASSISTANT)
    assert stored.content == gathered["text"] and stored.engine == "offline"


def test_the_guards_replacement_is_what_the_shopper_gets(asha, model):
    # given: a model that makes up a figure no tool gave
    model.script(text_reply("Your cashback is ", "₹4,999.00."))
    events = ask(asha, "where is my cashback?")
    gathered = reply_gather(events)
    stored = Message.objects.get(role=Role.ASSISTANT)
    assert gathered["replaced"] and stored.replaced
    assert "4,999" not in gathered["text"] and gathered["text"] == stored.content
    assert gathered["engine"] == "openai"


def test_a_failure_part_way_reaches_the_client_as_an_error_event(caplog):
    def turn():
        yield {"type": "conversation", "id": "c", "title": "t"}
        raise RuntimeError("a tool broke")

    body = b"".join(sse_response(turn()).streaming_content)
    events = sse_parse(body)
    assert [event["type"] for event in events] == ["conversation", "error"]
    assert events[1]["code"] == "server_error"
    assert "a tool broke" not in body.decode()
    assert "the answer's stream failed" in caplog.text
