"""Voice questions' writes: take a recorded clip in (checked, counted against the day's seconds,
stored privately, transcribed by a Celery job) and transcribe it (`voice_clip_transcribe`, the
job's body), deleting the recording once its words are out.

A clip moves QUEUED -> DONE (a transcript the shopper edits before sending) or FAILED (an
error saying why; the shopper types instead). Transcribing takes about a second, so on a
real broker it never runs on the request; on the embedded default (eager tasks) it has run by
the time the upload answers.
"""

import contextlib
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors

from .. import selectors
from ..errors import VoiceClipInvalid, VoiceLimitReached
from ..models import VoiceClip, VoiceStatus
from . import transcribe

log = logging.getLogger(__name__)
# A clip is polled for a minute and counts against its own day's seconds; after this it is only
# a transcript nobody reads, or a recording whose job was lost (a worker killed mid-task).
KEEP_DAYS = 2
GIFT_CARD_SUFFIX = re.compile(r"\s*\b(e-?)?gift\s+(card|voucher)s?\s*$", re.IGNORECASE)


def _audio_bytes(audio) -> bytes:
    """The upload's bytes (an UploadedFile or bytes), read no further than the size limit."""
    if isinstance(audio, bytes | bytearray):
        return bytes(audio)
    if audio is None or not hasattr(audio, "read"):
        message = _("Record a question first.")
        raise VoiceClipInvalid(message, fields={"audio": [message]})
    audio.seek(0)
    return audio.read(transcribe.MAX_BYTES + 1)


def voice_clip_submit(*, user, audio) -> VoiceClip:
    """Check a recorded question, count it against the shopper's day and queue it.

    `audio` is a WAV file (an UploadedFile or bytes) of at most ASSISTANT_VOICE_MAX_SECONDS.
    The clip is stored as 16 kHz mono, in the private storage, until it is transcribed.

    Raises VoiceClipInvalid (`fields["audio"]`: not a WAV, empty, too long) and
    VoiceLimitReached (this clip would pass ASSISTANT_VOICE_SECONDS_PER_DAY).
    """
    clip = transcribe.clip_read(_audio_bytes(audio))
    with transaction.atomic():
        # The shopper's row is locked first, so two clips sent at once are counted one after
        # the other and can't both squeeze under the day's limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        _check_limit(user=user, seconds=clip.seconds)
        voice_clip = VoiceClip(owner=user, seconds=clip.seconds, status=VoiceStatus.QUEUED)
        voice_clip.audio.save("question.wav", ContentFile(clip.wav()), save=False)
        voice_clip.save()
        transaction.on_commit(lambda: _enqueue(voice_clip.pk))
    return voice_clip


def _check_limit(*, user, seconds) -> None:
    used = selectors.voice_seconds_today(user)
    if used + seconds > settings.ASSISTANT_VOICE_SECONDS_PER_DAY:
        raise VoiceLimitReached()


def _enqueue(clip_id: int) -> None:
    from .tasks import voice_transcribe

    voice_transcribe.delay(clip_id)


def vocabulary_current() -> transcribe.Vocabulary:
    """The names a shopper may say today: active stores, categories and gift cards."""
    stores = catalog_selectors.merchants_list().values_list("name", flat=True)
    categories = [
        name
        for top in catalog_selectors.categories_active()
        for name in [top.name, *(child.name for child in top.children.all())]
    ]
    # "Amazon Pay Gift Card" is said "Amazon Pay" before the grammar's own "gift card".
    products = {
        GIFT_CARD_SUFFIX.sub("", name).strip()
        for name in catalog_selectors.gift_cards_list().values_list("name", flat=True)
    }
    return transcribe.Vocabulary(
        stores=tuple(sorted(set(stores))),
        categories=tuple(sorted(set(categories))),
        products=tuple(sorted(products - {""})),
    )


def voice_clip_transcribe(*, clip_id: int) -> VoiceClip | None:
    """Transcribe a QUEUED clip: DONE with its transcript, or FAILED with an error; then the
    recording is deleted. Idempotent: a clip already transcribed (a task delivered twice) is
    left as it is, and of two workers at once only the first one's result is kept."""
    voice_clip = VoiceClip.objects.filter(pk=clip_id).first()
    if voice_clip is None or voice_clip.status != VoiceStatus.QUEUED:
        return voice_clip
    status, transcript, error = _transcribed(voice_clip)
    name = voice_clip.audio.name
    updated = VoiceClip.objects.filter(pk=clip_id, status=VoiceStatus.QUEUED).update(
        status=status,
        transcript=transcript[:500],
        error=error[:200],
        audio="",
        updated_at=timezone.now(),
    )
    if updated and name:
        with contextlib.suppress(FileNotFoundError):
            voice_clip.audio.storage.delete(name)
    voice_clip.refresh_from_db()
    return voice_clip


def _transcribed(voice_clip: VoiceClip) -> tuple[str, str, str]:
    try:
        with voice_clip.audio.open("rb") as handle:
            clip = transcribe.clip_read(handle.read())
        text = transcribe.transcribe(clip, vocabulary_current())
    except VoiceClipInvalid:
        return VoiceStatus.FAILED, "", _("This recording could not be read.")
    except Exception:  # the file gone from storage, the recogniser failing: the shopper types
        log.exception("Transcribing voice clip %s failed", voice_clip.pk)
        return VoiceStatus.FAILED, "", _("We could not transcribe this recording. Please type.")
    if not text:
        return VoiceStatus.FAILED, "", _("No question was heard. Try again closer to the mic.")
    return VoiceStatus.DONE, text, ""


def voice_clips_purge(*, now=None) -> int:
    """Removes clips older than KEEP_DAYS with any recording still stored; returns how many.

    Run by beat: a recording is deleted once transcribed, but one whose job never ran would
    otherwise stay in the private storage for good."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    storage = VoiceClip._meta.get_field("audio").storage
    count = 0
    while True:
        batch = list(
            VoiceClip.objects.filter(created_at__lt=cutoff).values_list("pk", "audio")[:500]
        )
        if not batch:
            return count
        # Files first: a row left by a failed delete is found again on the next run.
        for _pk, name in batch:
            if name:
                with contextlib.suppress(FileNotFoundError):
                    storage.delete(name)
        VoiceClip.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
        count += len(batch)
