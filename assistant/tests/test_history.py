"""What the engines are told of a conversation's earlier turns (selectors.history_for_engine)."""

import pytest

from assistant.selectors import history_for_engine
from assistant.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_an_answer_left_before_any_words_is_not_sent_as_an_empty_message():
    conversation = ConversationFactory()
    MessageFactory(conversation=conversation, content="find ZARA coupons")
    MessageFactory(conversation=conversation, assistant=True, content="")
    MessageFactory(conversation=conversation, content="and Myntra?")

    history = history_for_engine(conversation)

    assert history == [
        {"role": "user", "content": "find ZARA coupons"},
        {"role": "user", "content": "and Myntra?"},
    ]
