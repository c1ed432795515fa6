"""The assistant's reads: a shopper's conversations and their messages, and today's usage."""

from datetime import datetime
from decimal import Decimal

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
    """The last turns as the engines take them: [{"role": ..., "content": ...}], oldest first."""
    rows = list(
        conversation.messages.order_by("-created_at", "-id").values("role", "content")[:limit]
    )
    return [{"role": row["role"], "content": row["content"]} for row in reversed(rows)]


def _day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def messages_sent_today(user, *, now: datetime | None = None) -> int:
    """Counted from the rows themselves, so the limit survives a Redis restart."""
    start = _day_start(now or timezone.now())
    return Message.objects.filter(
        conversation__owner=user, role=Role.USER, created_at__gte=start
    ).count()


def voice_seconds_today(user, *, now: datetime | None = None) -> Decimal:
    start = _day_start(now or timezone.now())
    total = VoiceClip.objects.filter(owner=user, created_at__gte=start).aggregate(s=Sum("seconds"))[
        "s"
    ]
    return total or Decimal("0")
