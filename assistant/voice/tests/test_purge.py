"""Old voice clips go, with any recording a lost job left in the private storage."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant.models import VoiceClip, VoiceStatus
from assistant.voice import services
from assistant.voice.tasks import voice_clips_purge

from .conftest import silence

pytestmark = pytest.mark.django_db


def test_a_recording_whose_job_never_ran_is_deleted_with_its_clip(shopper, private_media):
    # given: a clip from three days ago still queued (its job was lost) and one from today
    lost = services.voice_clip_submit(user=shopper, audio=silence(2))
    VoiceClip.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(days=3))
    today = services.voice_clip_submit(user=shopper, audio=silence(1))
    assert (private_media / lost.audio.name).is_file()

    # when
    removed = voice_clips_purge()

    # then
    assert removed == 1
    assert not (private_media / lost.audio.name).exists()
    assert list(VoiceClip.objects.values_list("pk", flat=True)) == [today.pk]
    assert (private_media / today.audio.name).is_file()


def test_a_transcribed_clip_goes_too_once_old(shopper, private_media):
    old = services.voice_clip_submit(user=shopper, audio=silence(1))
    VoiceClip.objects.filter(pk=old.pk).update(
        status=VoiceStatus.DONE, audio="", transcript="find zomato coupons"
    )
    later = timezone.now() + timedelta(days=services.KEEP_DAYS, hours=1)

    assert services.voice_clips_purge(now=later) == 1
    assert not VoiceClip.objects.exists()
