"""Back office for the assistant: conversations with their messages (to audit an answer:
what the shopper saw, which tools ran with what, which engine answered) and voice clips.
Read-only: conversations belong to their owner, and beat removes them after 90 days."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Conversation, Message, VoiceClip


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "role", "content", "engine", "replaced", "tool_calls", "cards")
    readonly_fields = fields
    ordering = ("created_at", "id")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("title_or_id", "owner", "message_count", "created_at", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("public_id", "title", "owner__email")
    date_hierarchy = "updated_at"
    fields = ("public_id", "owner", "title", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (MessageInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_count=Count("messages"))

    @admin.display(description=_("title"), ordering="title")
    def title_or_id(self, conversation) -> str:
        return str(conversation)

    @admin.display(description=_("messages"), ordering="message_count")
    def message_count(self, conversation) -> int:
        return conversation.message_count


@admin.register(VoiceClip)
class VoiceClipAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "owner", "seconds", "status", "transcript", "created_at")
    list_filter = ("status",)
    list_select_related = ("owner",)
    search_fields = ("public_id", "owner__email", "transcript")
    date_hierarchy = "created_at"
    # Not the recording: it is private, and deleted once transcribed.
    fields = ("public_id", "owner", "seconds", "status", "transcript", "error", "created_at")
    readonly_fields = fields
