"""Voice transcription jobs (registered by assistant.apps)."""

from celery import shared_task

from . import services


@shared_task(name="assistant.voice_transcribe")
def voice_transcribe(clip_id: int) -> str | None:
    """Transcribe one recorded question (queued on commit by voice_clip_submit)."""
    voice_clip = services.voice_clip_transcribe(clip_id=clip_id)
    return voice_clip.status if voice_clip else None


@shared_task(name="assistant.voice_clips_purge")
def voice_clips_purge() -> int:
    """Old clips and any recording left behind by a lost job (beat, hourly)."""
    return services.voice_clips_purge()
