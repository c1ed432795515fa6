"""Submitting and transcribing voice clips: the checks, the day's seconds, the job, and the
recording deleted once its words are out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from assistant.errors import VoiceClipInvalid, VoiceLimitReached
from assistant.models import VoiceClip, VoiceStatus
from assistant.voice import services
from coupzii.tests.races import failures, race, successes

from .conftest import needs_espeak, silence, spoken

pytestmark = pytest.mark.django_db


@needs_espeak
def test_voice_clip_submit_transcribes_and_deletes_the_recording(
    shopper, stores, private_media, tmp_path, django_capture_on_commit_callbacks
):
    # given
    question = spoken("find zomato coupons", tmp_path)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        voice_clip = services.voice_clip_submit(user=shopper, audio=question)
    # then
    voice_clip.refresh_from_db()
    assert voice_clip.status == VoiceStatus.DONE
    assert "Zomato" in voice_clip.transcript
    assert voice_clip.audio.name == ""
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_voice_clip_submit_stores_the_recording_privately_until_transcribed(shopper, private_media):
    voice_clip = services.voice_clip_submit(user=shopper, audio=silence(2))

    assert voice_clip.status == VoiceStatus.QUEUED
    assert voice_clip.seconds == Decimal("2.00")
    assert (private_media / voice_clip.audio.name).is_file()


def test_voice_clip_transcribe_of_silence_fails_with_a_reason(shopper, stores, private_media):
    voice_clip = services.voice_clip_submit(user=shopper, audio=silence(2))

    done = services.voice_clip_transcribe(clip_id=voice_clip.pk)

    assert done.status == VoiceStatus.FAILED
    assert "No question was heard" in done.error
    assert done.audio.name == ""


def test_voice_clip_transcribe_twice_keeps_the_first_result(shopper, stores, private_media):
    voice_clip = services.voice_clip_submit(user=shopper, audio=silence(1))
    services.voice_clip_transcribe(clip_id=voice_clip.pk)
    VoiceClip.objects.filter(pk=voice_clip.pk).update(error="kept")

    again = services.voice_clip_transcribe(clip_id=voice_clip.pk)

    assert again.error == "kept"


def test_voice_clip_submit_refuses_past_the_days_seconds(shopper, private_media, settings):
    # given: 295 of 300 seconds used today, and 200 yesterday (not counted)
    settings.ASSISTANT_VOICE_SECONDS_PER_DAY = 300
    VoiceClip.objects.create(owner=shopper, seconds=Decimal("295"), status=VoiceStatus.DONE)
    old = VoiceClip.objects.create(owner=shopper, seconds=Decimal("200"), status=VoiceStatus.DONE)
    VoiceClip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    # when / then: 5 seconds more fit, 6 do not
    services.voice_clip_submit(user=shopper, audio=silence(5))
    with pytest.raises(VoiceLimitReached):
        services.voice_clip_submit(user=shopper, audio=silence(0.5))


def test_voice_clip_submit_refuses_a_file_that_is_not_wav(shopper):
    with pytest.raises(VoiceClipInvalid) as refused:
        services.voice_clip_submit(user=shopper, audio=b"%PDF-1.7 not audio")

    assert refused.value.fields["audio"]
    assert not VoiceClip.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race of row locks: PostgreSQL only (SQLite lets one writer in at a time)",
)
@pytest.mark.django_db(transaction=True)
def test_voice_clips_sent_at_once_cannot_pass_the_days_seconds_together(
    shopper, private_media, settings
):
    # given: room for one 4-second clip today, not two
    settings.ASSISTANT_VOICE_SECONDS_PER_DAY = 6
    clip = silence(4)
    # when: two are sent at the same moment
    results = race([lambda: services.voice_clip_submit(user=shopper, audio=clip)] * 2)
    # then
    assert len(successes(results)) == 1
    assert isinstance(failures(results)[0], VoiceLimitReached)
    assert VoiceClip.objects.filter(owner=shopper).count() == 1


def test_vocabulary_current_names_live_stores_categories_and_gift_cards(stores):
    from catalog.models import Category, Merchant, Product

    # given: a department with a child, a gift card, and a store that closed
    fashion = Category.objects.create(name="Fashion", slug="fashion")
    Category.objects.create(name="Footwear", slug="footwear", parent=fashion)
    myntra = Merchant.objects.get(name="Myntra")
    Product.objects.create(
        merchant=myntra, category=fashion, name="Myntra E-Gift Card", slug="myntra-gift"
    )
    Merchant.objects.filter(name="Meesho").update(is_active=False)
    # when
    vocabulary = services.vocabulary_current()
    # then
    assert "Myntra" in vocabulary.stores
    assert "Meesho" not in vocabulary.stores
    assert vocabulary.categories == ("Fashion", "Footwear")
    assert vocabulary.products == ("Myntra",)
