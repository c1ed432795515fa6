"""The assistant's reads: a shopper's conversations and their messages, and today's usage."""

from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from .models import Conversation, Message, Role, VoiceClip


def conversations_of(user) -> QuerySet[Conversation]:
    """The shopper's conversations, newest activity first, each with its message count."""
    # An annotation with Count drops the model's default ordering: say it again for paging.
    return (
        Conversation.objects.filter(owner=user)
        .annotate(message_count=Count("messages"))
        .order_by("-updated_at", "-id")
    )


def conversation_of(user, public_id) -> Conversation | None:
    """One of the shopper's conversations, or None (someone else's is None too)."""
    return Conversation.objects.filter(owner=user, public_id=public_id).first()


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()


def history_for_engine(conversation: Conversation, *, limit: int = 12) -> list[dict]:
    """The last turns as the engines take them: [{"role": ..., "content": ...}], oldest first.

    An answer the shopper left before any words (cards only) has no text: some
    OpenAI-compatible servers refuse an empty message, and it tells the model nothing."""
    rows = list(
        conversation.messages.exclude(content="")
        .order_by("-created_at", "-id")
        .values("role", "content")[:limit]
    )
    return [{"role": row["role"], "content": row["content"]} for row in reversed(rows)]


def _day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def questions_counter_key(user, *, now: datetime | None = None) -> str:
    """The Redis key counting the shopper's questions of today (services.turn_start adds)."""
    return f"assistant:questions:{user.pk}:{_day_start(now or timezone.now()).date().isoformat()}"


def messages_sent_today(user, *, now: datetime | None = None) -> int:
    """The rows of today, or the day's counter when it says more: the rows survive a Redis
    restart, the counter a deleted conversation (else Delete would reset the day's limit)."""
    start = _day_start(now or timezone.now())
    stored = Message.objects.filter(
        conversation__owner=user, role=Role.USER, created_at__gte=start
    ).count()
    return max(stored, cache.get(questions_counter_key(user, now=now)) or 0)


def voice_seconds_today(user, *, now: datetime | None = None) -> Decimal:
    start = _day_start(now or timezone.now())
    total = VoiceClip.objects.filter(owner=user, created_at__gte=start).aggregate(s=Sum("seconds"))[
        "s"
    ]
    return total or Decimal("0")
