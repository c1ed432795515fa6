"""The assistant's domain errors: each has a stable `code` and a message for the shopper."""

from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError


class ConversationNotFound(DomainError):
    status_code = 404
    code = "conversation_not_found"
    default_message = _("No such conversation.")


class MessageLimitReached(DomainError):
    status_code = 429
    code = "assistant_daily_limit"
    default_message = _(
        "You have sent the assistant as many messages as a day allows. Try again tomorrow."
    )


class VoiceLimitReached(DomainError):
    status_code = 429
    code = "voice_daily_limit"
    default_message = _("You have used today's voice minutes. Type your question instead.")


class VoiceClipInvalid(DomainError):
    status_code = 400
    code = "voice_clip_invalid"
    default_message = _("Send a WAV recording of up to 10 seconds.")


class EngineUnavailable(Exception):
    """The remote model could not answer (timeout, error, bad reply): the offline engine does.

    Not a DomainError: the shopper never sees it, only the offline engine's answer."""
