"""The assistant's pages: signing in first, the empty chat with its examples, prefilling from
another page, asking without JavaScript (post, redirect, the answer on the page), the streamed
answer as server-sent events, cards with their real buttons, the daily limit as a form error,
renaming and deleting (a confirmation page), and 404 for another shopper's conversation."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, sign_in_verified
from assistant.models import Conversation, Message, Role
from assistant.tests.factories import ConversationFactory, MessageFactory
from assistant.tools import ToolContext, tool_call
from assistant.turns import sse_parse
from catalog.tests.factories import MerchantFactory
from offers.tests.books.factories import book_with_codes

pytestmark = pytest.mark.django_db

CHAT = reverse("assistant:chat")
SEND = reverse("assistant:send")
STREAM = reverse("assistant:stream")


def page_of(conversation) -> str:
    return reverse("assistant:conversation", kwargs={"public_id": conversation.public_id})


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


def box_value(page: str) -> str:
    match = re.search(r'<textarea[^>]*id="cz-chat-message"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1))


# --- Signing in, the empty chat, prefilling ----------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client):
    conversation = page_of(ConversationFactory())
    for method, url in (("get", CHAT), ("get", conversation), ("post", SEND), ("post", STREAM)):
        response = getattr(client, method)(url, {"message": "hi"} if method == "post" else {})
        assert response.status_code == 302
        assert "login" in response["Location"] and "next=" in response["Location"]
    assert not Message.objects.exists()


def test_the_empty_chat_offers_examples_that_post_themselves(client, shopper):
    response = client.get(CHAT)
    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="chat-empty"' in page
    examples = re.findall(r'<button[^>]*form="cz-example-form"[^>]*value="([^"]+)"', page)
    assert "Find ZARA coupons" in examples and len(examples) == 5
    assert f'id="cz-example-form" method="post" action="{SEND}"' in page
    assert 'data-testid="conversations-empty"' in page
    # its own stylesheet and script, no inline script (the CSP refuses those)
    assert "css/assistant.css" in page and "js/assistant.js" in page
    assert 'aria-live="polite"' in page


def actions_of(page: str) -> tuple[str, str]:
    """The conversation's Rename / Delete / New buttons with the element that hides them."""
    pattern = r"(<div[^>]*data-cz-conversation-actions[^>]*>)(.*?)</div>\s*</div>"
    match = re.search(pattern, page, re.S)
    return match.group(1), match.group(2)


def test_a_new_chat_hides_rename_and_delete_until_a_conversation_exists(client, shopper):
    wrapper, buttons = actions_of(text(client.get(CHAT)))
    # hidden on an element of its own: a Bootstrap display class beside it would show it
    assert " hidden" in wrapper and "class=" not in wrapper
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    wrapper, buttons = actions_of(text(client.get(page_of(conversation))))
    assert " hidden" not in wrapper
    rename = reverse("assistant:conversation-rename", args=[conversation.public_id])
    assert f'href="{rename}"' in buttons
    assert client.get(rename).status_code == 200


def test_the_question_box_leaves_an_empty_question_to_the_pages_own_error(client, shopper):
    page = text(client.get(CHAT))
    form = re.search(r'<form id="cz-chat-form"[^>]*>', page).group(0)
    # no browser bubble that says nothing in some browsers: the form's error line says it
    assert "novalidate" in form
    assert 'data-label-empty="Type a question first."' in page


def test_another_page_can_prefill_the_question_and_the_store(client, shopper):
    MerchantFactory(name="Myntra", slug="myntra")
    page = text(
        client.get(
            CHAT, {"q": "best way to pay ₹2,500", "store": "myntra", "from": "/stores/myntra/"}
        )
    )
    assert box_value(page) == "best way to pay ₹2,500"
    assert '<input type="hidden" name="store" value="myntra">' in page
    assert "Asking about <strong>Myntra</strong>" in page
    assert 'href="/stores/myntra/" data-testid="back-link"' in page
    assert '<input type="hidden" name="from" value="/stores/myntra/">' in page


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_a_from_page_elsewhere_and_a_store_that_is_no_slug_are_ignored(client, shopper, back):
    page = text(client.get(CHAT, {"store": '"><script>', "from": back}))
    assert 'data-testid="back-link"' not in page
    assert 'name="store"' not in page
    assert 'name="from"' not in page


# --- Asking without JavaScript ---------------------------------------------------------------


def test_a_question_posted_without_javascript_redirects_to_its_answer(client, shopper):
    # when
    response = client.post(SEND, {"message": "find ZARA coupons"})
    # then
    conversation = Conversation.objects.get(owner=shopper)
    assert response.status_code == 302
    assert response["Location"] == f"{page_of(conversation)}#latest"
    answer = conversation.messages.get(role=Role.ASSISTANT)
    assert answer.engine == "offline" and answer.content
    page = text(client.get(page_of(conversation)))
    assert "find ZARA coupons" in page
    assert html.escape(answer.content.split("\n")[0]) in page
    assert 'id="latest"' in page
    assert box_value(page) == ""
    assert f'name="conversation" value="{conversation.public_id}"' in page


def test_the_answer_lands_on_the_latest_question_with_its_answer_below(client, shopper):
    client.post(SEND, {"message": "find ZARA coupons"})
    conversation = Conversation.objects.get(owner=shopper)
    client.post(SEND, {"message": "sell my Swiggy coupon", "conversation": conversation.public_id})
    page = text(client.get(page_of(conversation)))

    pattern = r'<article[^>]*id="latest"[^>]*>\s*<h2[^>]*>[^<]*</h2>\s*<div[^>]*>([^<]*)'
    # the last question, so the page opens on it and the start of its answer
    assert re.findall(pattern, page) == ["sell my Swiggy coupon"]
    assert page.count('id="latest"') == 1


def test_a_follow_up_stays_in_the_conversation_and_keeps_the_from_page(client, shopper):
    client.post(SEND, {"message": "find ZARA coupons"})
    conversation = Conversation.objects.get()
    response = client.post(
        SEND,
        {
            "message": "which of my coupons expire this week?",
            "conversation": conversation.public_id,
            "from": "/stores/zara/",
        },
    )
    assert response["Location"] == f"{page_of(conversation)}?from=%2Fstores%2Fzara%2F#latest"
    assert conversation.messages.count() == 4


def test_the_store_asked_about_stays_with_the_conversation(client, shopper):
    response = client.post(SEND, {"message": "find coupons", "store": "zara"})
    conversation = Conversation.objects.get()
    assert response["Location"] == f"{page_of(conversation)}?store=zara#latest"
    page = text(client.get(response["Location"].split("#")[0]))
    assert '<input type="hidden" name="store" value="zara">' in page


def test_an_empty_question_is_a_form_error(client, shopper):
    response = client.post(SEND, {"message": "   "})
    assert response.status_code == 400
    assert "Type a question first." in text(response)
    assert not Message.objects.exists()


def test_an_empty_follow_up_shows_the_conversation_with_the_error(client, shopper):
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    response = client.post(SEND, {"message": "", "conversation": conversation.public_id})
    assert response.status_code == 400
    assert "find ZARA coupons" in text(response) and "Type a question first." in text(response)


def test_past_the_daily_limit_the_question_is_kept_with_the_reason(client, shopper, settings):
    # given
    settings.ASSISTANT_MESSAGES_PER_DAY = 1
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation)
    # when
    response = client.post(
        SEND, {"message": "sell my Swiggy coupon", "conversation": conversation.public_id}
    )
    # then
    page = text(response)
    assert response.status_code == 429
    assert "Try again tomorrow." in page
    assert 'aria-invalid="true"' in page
    assert box_value(page) == "sell my Swiggy coupon"
    assert conversation.messages.count() == 1


def test_posting_into_another_shoppers_conversation_is_a_404(client, shopper):
    theirs = ConversationFactory()
    response = client.post(SEND, {"message": "hello", "conversation": theirs.public_id})
    assert response.status_code == 404
    assert not theirs.messages.exists()


# --- The streamed answer -----------------------------------------------------------------------


def test_the_stream_sends_the_answer_as_server_sent_events(client, shopper):
    response = client.post(STREAM, {"message": "where is my cashback from Flipkart?"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    body = b"".join(response.streaming_content).decode()
    # each event on the wire: "event: <type>" then one "data: <json>" line
    for block in body.strip().split("\n\n"):
        lines = block.split("\n")
        assert lines[0].startswith("event: ") and lines[1].startswith("data: ")
    events = sse_parse(body)
    assert events[0]["type"] == "conversation" and events[-1] == {
        "type": "done",
        "engine": "offline",
    }
    assert sum(event["type"] == "text" for event in events) >= 1
    # what was streamed is what was kept
    streamed = "".join(event.get("delta", "") for event in events if event["type"] == "text")
    replaced = [event["text"] for event in events if event["type"] == "replace"]
    answer = Message.objects.get(role=Role.ASSISTANT)
    assert answer.content == (replaced[-1] if replaced else streamed.strip())
    assert str(answer.conversation.public_id) == events[0]["id"]


def test_the_stream_sends_the_first_event_before_the_answer_is_written(client, shopper):
    response = client.post(STREAM, {"message": "find ZARA coupons"})
    chunks = iter(response.streaming_content)
    # nothing is held back: the conversation arrives while the engine has yet to answer
    assert sse_parse(next(chunks))[0]["type"] == "conversation"
    assert not Message.objects.filter(role=Role.ASSISTANT).exists()
    assert sse_parse(b"".join(chunks))[-1]["type"] == "done"
    assert Message.objects.filter(role=Role.ASSISTANT).exists()


def test_the_stream_refuses_an_empty_question_with_an_error_event(client, shopper):
    response = client.post(STREAM, {"message": ""})
    assert response.status_code == 400
    events = sse_parse(b"".join(response.streaming_content))
    assert events == [{"type": "error", "code": "invalid", "message": "Type a question first."}]


def test_the_stream_refuses_another_shoppers_conversation(client, shopper):
    theirs = ConversationFactory()
    response = client.post(STREAM, {"message": "hello", "conversation": theirs.public_id})
    assert response.status_code == 404
    events = sse_parse(b"".join(response.streaming_content))
    assert events[0]["code"] == "conversation_not_found"
    assert not theirs.messages.exists()


def test_the_stream_past_the_daily_limit_is_an_error_event_and_keeps_nothing(
    client, shopper, settings
):
    settings.ASSISTANT_MESSAGES_PER_DAY = 1
    MessageFactory(conversation=ConversationFactory(owner=shopper))
    response = client.post(STREAM, {"message": "one more"})
    events = sse_parse(b"".join(response.streaming_content))
    assert [event["type"] for event in events] == ["error"]
    assert events[0]["code"] == "assistant_daily_limit"
    assert Message.objects.count() == 1


# --- A conversation and its cards --------------------------------------------------------------


def test_a_conversation_shows_its_cards_with_their_real_buttons(client, shopper):
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    MessageFactory(conversation=conversation, assistant=True)
    page = text(client.get(page_of(conversation)))
    assert "Flat ₹200 off" in page and "Minimum order" in page and "₹1,000.00" in page
    assert '<a class="text-reset" href="/offers/zara-flat-200/">' in page
    # a "post" action is a form with the CSRF token and its fields (one called `items` too)
    form = re.search(
        r'<form method="post" action="/offers/zara-flat-200/claim/">(.*?)</form>', page, re.S
    )
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert '<input type="hidden" name="items" value="1">' in form.group(1)
    assert "Get the code" in form.group(1)
    # a "get" action is a link
    assert 'href="/stores/zara/">See the store</a>' in page


def test_a_card_link_that_is_not_a_site_or_web_address_is_not_shown(client, shopper):
    conversation = ConversationFactory(owner=shopper)
    MessageFactory(
        conversation=conversation,
        assistant=True,
        cards=[
            {
                "type": "offer",
                "title": "Odd card",
                "url": "javascript:alert(1)",
                "actions": [{"label": "Odd", "method": "get", "url": "javascript:x", "fields": {}}],
            }
        ],
    )
    page = text(client.get(page_of(conversation)))
    assert "Odd card" in page
    assert "javascript:" not in page


def test_another_shoppers_conversation_is_a_404_on_every_page(client, shopper):
    theirs = ConversationFactory(title="Theirs")
    MessageFactory(conversation=theirs, content="my secret question")
    for url in ("", "rename/", "delete/"):
        response = client.get(page_of(theirs) + url)
        assert response.status_code == 404
        assert "my secret question" not in text(response)
    assert client.post(page_of(theirs) + "rename/", {"title": "Mine"}).status_code == 404
    assert client.post(page_of(theirs) + "delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_the_list_shows_my_conversations_in_pages(client, shopper):
    ConversationFactory.create_batch(11, owner=shopper)
    ConversationFactory(title="Someone else's")
    first = text(client.get(CHAT))
    assert first.count('data-testid="conversation-row"') == 10
    assert "Someone else" not in first
    assert text(client.get(CHAT, {"page": 2})).count('data-testid="conversation-row"') == 1


def test_the_page_costs_the_same_queries_for_one_or_ten_conversations(client, shopper):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHAT).status_code == 200
        return len(captured)

    ConversationFactory(owner=shopper)
    one = queries()
    ConversationFactory.create_batch(9, owner=shopper)
    assert queries() == one


# --- Rename and delete -------------------------------------------------------------------------


def test_renaming_a_conversation(client, shopper):
    conversation = ConversationFactory(owner=shopper, title="find ZARA coupons")
    url = page_of(conversation) + "rename/"
    assert 'value="find ZARA coupons"' in text(client.get(url))
    response = client.post(url, {"title": "  Zara  shopping "})
    assert response.status_code == 302 and response["Location"] == page_of(conversation)
    page = text(client.get(page_of(conversation)))
    assert "Zara shopping" in page and "The conversation is renamed." in page


def test_an_empty_name_is_a_form_error(client, shopper):
    conversation = ConversationFactory(owner=shopper, title="Kept")
    response = client.post(page_of(conversation) + "rename/", {"title": "  "})
    assert response.status_code == 400
    assert "Give the conversation a name." in text(response)
    conversation.refresh_from_db()
    assert conversation.title == "Kept"


def test_deleting_asks_on_a_page_first_then_deletes(client, shopper):
    conversation = ConversationFactory(owner=shopper, title="Old cart")
    MessageFactory(conversation=conversation)
    url = page_of(conversation) + "delete/"
    # the question works without JavaScript: a page with a form
    confirm = text(client.get(url))
    assert "Delete this conversation?" in confirm and "Old cart" in confirm
    assert '<form method="post"' in confirm and "Yes, delete it" in confirm
    assert Conversation.objects.exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == CHAT
    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert "The conversation is deleted." in text(client.get(CHAT))
    assert client.get(page_of(conversation)).status_code == 404


# --- The back office ---------------------------------------------------------------------------


def test_operators_read_conversations_with_their_messages_and_change_nothing(client):
    # given
    conversation = ConversationFactory(title="Zara shopping")
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    MessageFactory(
        conversation=conversation, assistant=True, tool_calls=[{"name": "search_offers"}]
    )
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    # when
    listing = client.get(
        reverse("admin:assistant_conversation_changelist"), {"q": conversation.owner.email}
    )
    page = client.get(reverse("admin:assistant_conversation_change", args=[conversation.pk]))
    clips = client.get(reverse("admin:assistant_voiceclip_changelist"))
    # then
    assert listing.status_code == 200 and "Zara shopping" in text(listing)
    assert page.status_code == 200
    assert "find ZARA coupons" in text(page) and "search_offers" in text(page)
    assert clips.status_code == 200
    assert client.get(reverse("admin:assistant_conversation_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:assistant_conversation_delete", args=[conversation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_a_stored_claim_button_for_a_code_since_claimed_shows_my_codes(client, shopper):
    # given an answer whose card offered to claim a code
    book = book_with_codes(3, offer__discount_value=Decimal("200.00"))
    ctx = ToolContext(user=shopper, language="en", now=timezone.now())
    cards = tool_call(ctx, "search_offers", {"store": book.offer.merchant.slug}).cards
    assert any(button["label"] == "Claim code" for card in cards for button in card["actions"])
    answer = MessageFactory(assistant=True, conversation__owner=shopper, cards=cards)
    # when the shopper claims it (the one code an offer gives a shopper)
    client.post(reverse("offer_claim", args=[book.offer.public_id]))

    # then the conversation no longer offers the claim, but their code
    page = text(client.get(page_of(answer.conversation)))
    assert "Open My codes" in page
    assert "Claim code" not in page
