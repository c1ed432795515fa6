"""Voice questions' reads: a shopper's own clip (anyone else's is not found)."""

from coupzii.core.errors import NotFound

from ..models import VoiceClip


def voice_clip_of(user, public_id) -> VoiceClip:
    """The shopper's clip. Raises NotFound for anyone else's, or none."""
    voice_clip = VoiceClip.objects.filter(owner=user, public_id=public_id).first()
    if voice_clip is None:
        raise NotFound()
    return voice_clip
