"""The assistant's writes: conversations (start, rename, delete, purge) and their messages.

`assistant.chat.chat_reply` drives a turn and calls these; voice clips are in
`assistant.voice`. None of these moves money or acts on another app: an assistant's action is
a card the shopper confirms on the page that does it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .errors import ConversationNotFound, MessageLimitReached
from .models import Conversation, Message, Role

TITLE_MAX = 120


def conversation_start(*, user, first_message: str) -> Conversation:
    """A new conversation titled after its first message (the shopper can rename it)."""
    return Conversation.objects.create(owner=user, title=_title_from(first_message))


def _title_from(text: str) -> str:
    words = " ".join(text.split())
    if len(words) <= 60:
        return words or _("New conversation")
    return words[:59].rsplit(" ", 1)[0] + "\u2026"


def conversation_rename(*, user, public_id, title: str) -> Conversation:
    """Raises ConversationNotFound for a conversation that is not the shopper's."""
    conversation = selectors.conversation_of(user, public_id)
    if conversation is None:
        raise ConversationNotFound()
    conversation.title = " ".join(title.split())[:TITLE_MAX]
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def conversation_delete(*, user, public_id) -> None:
    """Deletes the conversation and its messages. Raises ConversationNotFound."""
    deleted, _rows = Conversation.objects.filter(owner=user, public_id=public_id).delete()
    if not deleted:
        raise ConversationNotFound()


def conversations_purge(*, now=None) -> int:
    """Removes conversations untouched for ASSISTANT_KEEP_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ASSISTANT_KEEP_DAYS)
    count = 0
    while True:
        ids = list(
            Conversation.objects.filter(updated_at__lt=cutoff).values_list("id", flat=True)[:500]
        )
        if not ids:
            return count
        Conversation.objects.filter(id__in=ids).delete()
        count += len(ids)


def message_limit_check(*, user, now=None) -> None:
    """Raises MessageLimitReached once the shopper sent ASSISTANT_MESSAGES_PER_DAY today."""
    if selectors.messages_sent_today(user, now=now) >= settings.ASSISTANT_MESSAGES_PER_DAY:
        raise MessageLimitReached()


@transaction.atomic
def turn_start(*, user, conversation: Conversation | None, question: str) -> Message:
    """Store the shopper's question in `conversation` (a new one titled after it when None).

    Raises MessageLimitReached once the shopper sent ASSISTANT_MESSAGES_PER_DAY today, and
    ConversationNotFound for a conversation that is not the shopper's.
    """
    # The shopper's row is locked first, so questions sent at once are counted one after the
    # other: without it, a script sending many at once has every one pass the count, and
    # each costs a model's answer.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    message_limit_check(user=user)
    if conversation is None:
        conversation = conversation_start(user=user, first_message=question)
    elif conversation.owner_id != user.pk:
        raise ConversationNotFound()
    message = message_add_user(conversation=conversation, content=question)
    _questions_count(user)
    return message


def _questions_count(user) -> None:
    key = selectors.questions_counter_key(user)
    # Two days: the key outlives its own day whatever the time zone, then goes by itself.
    cache.add(key, 0, timeout=2 * 86400)
    cache.incr(key)


@transaction.atomic
def message_add_user(*, conversation: Conversation, content: str) -> Message:
    message = Message.objects.create(conversation=conversation, role=Role.USER, content=content)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return message


@transaction.atomic
def message_add_assistant(
    *,
    conversation: Conversation,
    content: str,
    cards: list[dict],
    tool_calls: list[dict],
    engine: str,
    replaced: bool,
) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        role=Role.ASSISTANT,
        content=content,
        cards=cards,
        tool_calls=tool_calls,
        engine=engine,
        replaced=replaced,
    )
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return message
