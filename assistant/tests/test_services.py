"""The assistant's services: titles, rename, delete (owner only), the 90-day purge and the
daily message limit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assistant import selectors, services
from assistant.errors import ConversationNotFound, MessageLimitReached
from assistant.models import Conversation, Message
from assistant.tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def age(conversation, days: float) -> None:
    """Make `conversation` look untouched for `days` (update() skips auto_now)."""
    when = timezone.now() - timedelta(days=days)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=when)


def test_a_new_conversation_is_titled_after_its_first_message():
    user = UserFactory()
    conversation = services.conversation_start(user=user, first_message="  find   ZARA coupons ")
    assert conversation.owner == user
    assert conversation.title == "find ZARA coupons"


def test_a_long_first_message_is_cut_at_a_word_with_an_ellipsis():
    words = "which of my coupons expire this week and which can I sell before they do"
    conversation = services.conversation_start(user=UserFactory(), first_message=words)
    assert len(conversation.title) <= 60
    assert conversation.title.endswith("\u2026")
    assert words.startswith(conversation.title[:-1])


def test_renaming_collapses_spaces_and_keeps_at_most_120_characters():
    conversation = ConversationFactory()
    services.conversation_rename(
        user=conversation.owner, public_id=conversation.public_id, title="  My   Myntra  cart "
    )
    conversation.refresh_from_db()
    assert conversation.title == "My Myntra cart"
    services.conversation_rename(
        user=conversation.owner, public_id=conversation.public_id, title="x" * 300
    )
    conversation.refresh_from_db()
    assert len(conversation.title) == 120


def test_only_the_owner_can_rename_a_conversation():
    conversation = ConversationFactory(title="Mine")
    with pytest.raises(ConversationNotFound):
        services.conversation_rename(
            user=UserFactory(), public_id=conversation.public_id, title="Taken over"
        )
    conversation.refresh_from_db()
    assert conversation.title == "Mine"


def test_deleting_removes_the_conversation_and_its_messages():
    message = MessageFactory()
    MessageFactory(conversation=message.conversation, assistant=True)
    services.conversation_delete(
        user=message.conversation.owner, public_id=message.conversation.public_id
    )
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_only_the_owner_can_delete_a_conversation():
    message = MessageFactory()
    with pytest.raises(ConversationNotFound):
        services.conversation_delete(user=UserFactory(), public_id=message.conversation.public_id)
    assert Message.objects.count() == 1


def test_the_purge_removes_conversations_untouched_for_90_days_with_their_messages():
    # given
    stale = MessageFactory().conversation
    age(stale, 90.01)
    recent = MessageFactory().conversation
    age(recent, 89)
    # when
    removed = services.conversations_purge()
    # then
    assert removed == 1
    assert list(Conversation.objects.all()) == [recent]
    assert Message.objects.filter(conversation_id=stale.pk).count() == 0


def test_a_new_message_keeps_a_conversation_from_the_purge_and_moves_it_to_the_top():
    old = ConversationFactory()
    newer = ConversationFactory(owner=old.owner)
    age(old, 89.9)
    services.message_add_user(conversation=old, content="still here?")
    assert services.conversations_purge(now=timezone.now() + timedelta(days=1)) == 0
    assert list(selectors.conversations_of(old.owner)) == [old, newer]


def test_the_daily_limit_counts_the_shoppers_own_questions_of_today(settings):
    # given: two questions allowed a day
    settings.ASSISTANT_MESSAGES_PER_DAY = 2
    conversation = ConversationFactory()
    user = conversation.owner
    MessageFactory(conversation=conversation)
    MessageFactory(conversation=conversation, assistant=True)  # answers don't count
    MessageFactory()  # another shopper's question doesn't either
    yesterday = MessageFactory(conversation=conversation)
    Message.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))
    # when / then: one question today leaves one more
    services.message_limit_check(user=user)
    MessageFactory(conversation=conversation)
    with pytest.raises(MessageLimitReached) as refused:
        services.message_limit_check(user=user)
    assert refused.value.status_code == 429
    # the next day starts again
    services.message_limit_check(user=user, now=timezone.now() + timedelta(days=1))
