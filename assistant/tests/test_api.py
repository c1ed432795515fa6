"""The assistant API, /api/v1/assistant/: asking (JSON, or server-sent events when asked),
400 with a message per field, 404 for another shopper's conversation, 429 past the daily
limit, and the conversations (list with a fixed number of queries, read, rename, delete)."""

import pytest
from rest_framework.test import APIClient

from assistant.models import Conversation, Message, Role
from assistant.tests.factories import ConversationFactory, MessageFactory
from assistant.turns import sse_parse
from catalog.tests.factories import MerchantFactory
from coupzii.tests.schema import assert_matches_schema

pytestmark = pytest.mark.django_db

CHAT = "/api/v1/assistant/chat/"
CONVERSATIONS = "/api/v1/assistant/conversations/"


def one(conversation) -> str:
    return f"{CONVERSATIONS}{conversation.public_id}/"


def test_asking_and_the_conversations_need_a_signed_in_shopper():
    anonymous = APIClient()
    assert anonymous.post(CHAT, {"message": "hi"}, format="json").status_code == 401
    assert anonymous.get(CONVERSATIONS).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 1001}, "message"),
        ({"message": "hi", "conversation": "not-a-uuid"}, "conversation"),
        (
            {"message": "hi", "context": {"cart": {"store": "myntra", "items": [{"name": "Tee"}]}}},
            "context",
        ),
        (
            {
                "message": "hi",
                "context": {
                    "cart": {
                        "store": "myntra",
                        "items": [{"name": "Tee", "price": "-1.00", "quantity": 1}],
                    }
                },
            },
            "context",
        ),
    ],
)
def test_a_bad_question_is_a_400_naming_the_field(api, body, field):
    response = api.post(CHAT, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field]
    assert not Message.objects.exists()


def test_a_cart_item_price_error_names_the_item_field(api):
    body = {
        "message": "best way to pay",
        "context": {"cart": {"store": "myntra", "items": [{"name": "Tee", "price": "abc"}]}},
    }
    fields = api.post(CHAT, body, format="json").json()["error"]["fields"]
    assert "price" in str(fields["context"])


def test_another_shoppers_conversation_is_a_404_and_gets_no_message(api):
    theirs = ConversationFactory()
    response = api.post(
        CHAT, {"message": "show me", "conversation": str(theirs.public_id)}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "conversation_not_found"
    assert not theirs.messages.exists()


@pytest.mark.parametrize("stream", [False, True])
def test_past_the_daily_limit_asking_is_a_429_in_the_error_shape(api, shopper, settings, stream):
    # given: one question a day, already asked
    settings.ASSISTANT_MESSAGES_PER_DAY = 1
    MessageFactory(conversation=ConversationFactory(owner=shopper))
    # when
    headers = {"HTTP_ACCEPT": "text/event-stream"} if stream else {}
    response = api.post(CHAT, {"message": "one more", "stream": stream}, format="json", **headers)
    # then: JSON even for a client that asked for a stream
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "assistant_daily_limit"
    assert "tomorrow" in error["message"]
    assert Message.objects.count() == 1


# --- Conversations ---------------------------------------------------------------------------


def test_the_list_has_only_my_conversations_newest_first_and_matches_the_schema(api, shopper):
    older = ConversationFactory(owner=shopper, title="Older")
    MessageFactory(conversation=older)
    newer = ConversationFactory(owner=shopper, title="Newer")
    ConversationFactory()  # someone else's
    response = api.get(CONVERSATIONS)
    assert response.status_code == 200
    assert_matches_schema(response, method="get", path=CONVERSATIONS)
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [str(newer.public_id), str(older.public_id)]
    assert body["results"][1]["message_count"] == 1


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_a_fixed_number_of_queries(api, shopper, count, django_assert_num_queries):
    for conversation in ConversationFactory.create_batch(count, owner=shopper):
        MessageFactory.create_batch(2, conversation=conversation)
    # the page's count and the page itself, message counts included
    with django_assert_num_queries(2):
        response = api.get(CONVERSATIONS)
    assert len(response.json()["results"]) == count
    assert {row["message_count"] for row in response.json()["results"]} == {2}


def test_reading_a_conversation_gives_its_messages_and_cards_in_order(api, shopper):
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    MessageFactory(conversation=conversation, assistant=True)
    response = api.get(one(conversation))
    assert response.status_code == 200
    assert_matches_schema(
        response, method="get", path="/api/v1/assistant/conversations/{public_id}/"
    )
    messages = response.json()["messages"]
    assert [m["role"] for m in messages] == [Role.USER, Role.ASSISTANT]
    assert messages[0]["content"] == "find ZARA coupons"
    assert messages[1]["cards"][0]["title"] == "Flat ₹200 off"
    assert messages[1]["engine"] == "offline"
    assert "tool_calls" not in messages[1]


def test_renaming_answers_the_new_title(api, shopper):
    conversation = ConversationFactory(owner=shopper)
    response = api.patch(one(conversation), {"title": "  Myntra   cart "}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Myntra cart"
    conversation.refresh_from_db()
    assert conversation.title == "Myntra cart"


@pytest.mark.parametrize("title", ["", "   ", "x" * 121])
def test_a_bad_title_is_a_400_on_the_title(api, shopper, title):
    conversation = ConversationFactory(owner=shopper, title="Kept")
    response = api.patch(one(conversation), {"title": title}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["title"]
    conversation.refresh_from_db()
    assert conversation.title == "Kept"


def test_deleting_answers_204_and_removes_the_messages(api, shopper):
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation)
    assert api.delete(one(conversation)).status_code == 204
    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert api.get(one(conversation)).status_code == 404


def test_another_shoppers_conversation_is_a_404_on_every_route(api):
    theirs = ConversationFactory(title="Theirs")
    MessageFactory(conversation=theirs)
    for response in (
        api.get(one(theirs)),
        api.patch(one(theirs), {"title": "Mine now"}, format="json"),
        api.delete(one(theirs)),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "conversation_not_found"
    theirs.refresh_from_db()
    assert theirs.title == "Theirs" and theirs.messages.count() == 1


# --- Answers (the offline engine) --------------------------------------------------------------


def test_asking_answers_json_with_the_conversation_text_and_engine(api, shopper):
    response = api.post(CHAT, {"message": "find ZARA coupons"}, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, method="post", path=CHAT)
    body = response.json()
    assert body["engine"] == "offline"
    assert body["text"]
    conversation = Conversation.objects.get(public_id=body["conversation"])
    assert conversation.owner == shopper
    stored = list(conversation.messages.values_list("role", "content"))
    assert stored == [(Role.USER, "find ZARA coupons"), (Role.ASSISTANT, body["text"])]


def test_a_second_question_continues_the_conversation(api, shopper):
    first = api.post(CHAT, {"message": "find ZARA coupons"}, format="json").json()
    second = api.post(
        CHAT,
        {"message": "and for Myntra?", "conversation": first["conversation"]},
        format="json",
    ).json()
    assert second["conversation"] == first["conversation"]
    assert Conversation.objects.get().messages.count() == 4


@pytest.mark.parametrize("how", ["body", "accept"])
def test_asking_for_a_stream_answers_server_sent_events(api, shopper, how):
    body = {"message": "where is my cashback from Flipkart?"}
    headers = {}
    if how == "body":
        body["stream"] = True
    else:
        headers["HTTP_ACCEPT"] = "text/event-stream"
    response = api.post(CHAT, body, format="json", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = sse_parse(b"".join(response.streaming_content))
    kinds = [event["type"] for event in events]
    assert kinds[0] == "conversation" and kinds[-1] == "done"
    assert "text" in kinds
    assert events[-1]["engine"] == "offline"
    assert Conversation.objects.get().public_id.hex == events[0]["id"].replace("-", "")


def test_the_cart_on_screen_reaches_the_optimiser(api, shopper):
    # given: the client's cart, sent as context
    MerchantFactory(name="Myntra", slug="myntra")
    body = {
        "message": "best way to pay for this cart",
        "context": {
            "cart": {
                "store": "myntra",
                "items": [
                    {"name": "Sneakers", "category": "fashion", "price": "2500.00", "quantity": 1}
                ],
            },
            "location": "Bengaluru",
        },
    }
    # when
    response = api.post(CHAT, body, format="json")
    # then: the optimiser priced that cart, and its ways to pay came back as cards
    assert response.status_code == 200
    assert "₹2,500.00" in response.json()["text"]
    pay_options = [card for card in response.json()["cards"] if card["type"] == "pay_option"]
    assert pay_options and "₹2,500.00" in str(pay_options[0]["facts"])
    stored = Message.objects.get(role=Role.ASSISTANT)
    assert [call["name"] for call in stored.tool_calls] == ["analyze_cart"]
