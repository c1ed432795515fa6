"""Starting a turn (assistant.services.turn_start, through chat_reply): the day's message limit
holds when questions arrive at once, and a question never lands in another shopper's
conversation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assistant import services
from assistant.chat import chat_reply
from assistant.errors import MessageLimitReached
from assistant.models import Message, Role
from assistant.tests.factories import ConversationFactory, MessageFactory
from coupzii.tests.races import failures, race, successes

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_questions_sent_at_once_cannot_pass_the_days_limit_together(settings):
    # given: room for one more question today
    settings.ASSISTANT_MESSAGES_PER_DAY = 2
    asha = UserFactory()
    MessageFactory(conversation=ConversationFactory(owner=asha))
    # when: six are sent at the same moment
    results = race(
        [lambda: services.turn_start(user=asha, conversation=None, question="zara coupons")] * 6
    )
    # then: one is taken, the others are refused, and nothing of theirs is kept
    assert len(successes(results)) == 1
    assert all(isinstance(failure, MessageLimitReached) for failure in failures(results))
    assert Message.objects.filter(conversation__owner=asha, role=Role.USER).count() == 2
    assert asha.ai_conversations.count() == 2


def test_a_question_never_lands_in_another_shoppers_conversation():
    asha, ravi = UserFactory(), UserFactory()
    ravis = ConversationFactory(owner=ravi)
    MessageFactory(conversation=ravis, content="my Swiggy coupon")

    events = list(chat_reply(user=asha, message="what did he ask?", conversation=ravis))

    assert [event["type"] for event in events] == ["error"]
    assert events[0]["code"] == "conversation_not_found"
    assert list(ravis.messages.values_list("content", flat=True)) == ["my Swiggy coupon"]
    assert not asha.ai_conversations.exists()


def test_deleting_conversations_does_not_reset_the_days_limit(settings):
    settings.ASSISTANT_MESSAGES_PER_DAY = 2
    asha = UserFactory()
    for _ in range(2):
        question = services.turn_start(user=asha, conversation=None, question="zara coupons")
        services.conversation_delete(user=asha, public_id=question.conversation.public_id)

    events = list(chat_reply(user=asha, message="zara coupons"))

    assert [event["type"] for event in events] == ["error"]
    assert events[0]["code"] == "assistant_daily_limit"
    assert not asha.ai_conversations.exists()


def test_the_days_count_starts_again_tomorrow(settings):
    settings.ASSISTANT_MESSAGES_PER_DAY = 1
    asha = UserFactory()
    services.turn_start(user=asha, conversation=None, question="zara coupons")

    services.message_limit_check(user=asha, now=timezone.now() + timedelta(days=1))
    with pytest.raises(MessageLimitReached):
        services.message_limit_check(user=asha)
