"""The assistant's tables: conversations and their messages (the seed's `ai_conversations`),
and voice clips waiting to be transcribed.

A message keeps what the shopper saw (`content`, `cards`) and what the engine did
(`tool_calls`: each call's name, arguments and the model-safe result it was given), so a
conversation can be shown again and audited. Codes never reach these rows: tool results carry
opaque ids only.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coupzii.core.files import RandomName, private_storage
from coupzii.core.models import PublicIdModel, TimeStampedModel

User = settings.AUTH_USER_MODEL


class Engine(models.TextChoices):
    OPENAI = "openai", _("Language model")
    OFFLINE = "offline", _("Offline engine")


class Conversation(PublicIdModel, TimeStampedModel):
    """One chat of one shopper. `updated_at` moves with each message (the list's order); a
    conversation untouched for ASSISTANT_KEEP_DAYS is removed by beat."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ai_conversations")
    title = models.CharField(_("title"), max_length=120, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="assistant_conv_owner")]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.title or str(self.public_id)


class Role(models.TextChoices):
    USER = "user", _("Shopper")
    ASSISTANT = "assistant", _("Assistant")


class Message(models.Model):
    """One turn. A shopper's turn has `content` only; the assistant's has the text shown,
    the cards shown with it, the tool calls made and which engine answered."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    content = models.TextField(_("text"), blank=True)
    # [{"name": "search_offers", "arguments": {...}, "result": {...model-safe data...}}]
    tool_calls = models.JSONField(default=list, blank=True)
    # [{"type": "offer", ...}]: what assistant.cards renders, in the order shown
    cards = models.JSONField(default=list, blank=True)
    engine = models.CharField(_("engine"), max_length=10, choices=Engine.choices, blank=True)
    # The guard replaced the model's text (a figure or code not found in any tool result).
    replaced = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="assistant_msg_conv")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


class VoiceStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    DONE = "done", _("Transcribed")
    FAILED = "failed", _("Could not be read")


class VoiceClip(PublicIdModel, TimeStampedModel):
    """A recorded question (WAV, at most ASSISTANT_VOICE_MAX_SECONDS), transcribed offline by a
    Celery job; the shopper edits the transcript before sending it. The audio is private and
    deleted once transcribed."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ai_voice_clips")
    audio = models.FileField(
        _("recording"), upload_to=RandomName("voice-clips"), storage=private_storage, blank=True
    )
    seconds = models.DecimalField(
        _("length (seconds)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=8, choices=VoiceStatus.choices, default=VoiceStatus.QUEUED
    )
    transcript = models.CharField(_("transcript"), max_length=500, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"], name="assistant_voice_owner")]
        verbose_name = _("voice clip")
        verbose_name_plural = _("voice clips")
