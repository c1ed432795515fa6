"""The voice API: upload a question (202 with its transcript on the embedded default), poll it,
and the refusals a client sees (400 on `audio`, 429 past the day's seconds, 404 for another
shopper's clip)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assistant.models import VoiceClip, VoiceStatus

from .conftest import needs_espeak, silence, spoken

pytestmark = pytest.mark.django_db
URL = "/api/v1/assistant/voice/"


def _upload(data: bytes, name: str = "question.wav", kind: str = "audio/wav"):
    return {"audio": SimpleUploadedFile(name, data, content_type=kind)}


@needs_espeak
def test_post_voice_answers_202_and_the_clip_gives_the_transcript(
    api, stores, private_media, tmp_path, django_capture_on_commit_callbacks
):
    # given: the job runs when the upload's transaction commits (eagerly on the embedded
    # default; the test's own transaction holds it until the block ends)
    question = spoken("where is my cashback from flipkart", tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, _upload(question))
    # then
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    polled = api.get(f"{URL}{body['id']}/").json()
    assert polled == {
        "id": body["id"],
        "status": "done",
        "transcript": "where is my cashback from Flipkart",
        "error": "",
    }


def test_post_voice_refuses_a_file_that_is_not_wav(api):
    response = api.post(URL, _upload(b"\xff\xfb\x90d mp3 frames", "q.mp3", "audio/mpeg"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "voice_clip_invalid"
    assert error["fields"]["audio"]


def test_post_voice_refuses_a_clip_longer_than_ten_seconds(api):
    response = api.post(URL, _upload(silence(11)))

    assert response.status_code == 400
    assert "longer than 10 seconds" in response.json()["error"]["fields"]["audio"][0]


def test_post_voice_without_audio_names_the_field(api):
    response = api.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert "audio" in response.json()["error"]["fields"]


def test_post_voice_past_the_days_seconds_is_429(api, shopper, settings, private_media):
    settings.ASSISTANT_VOICE_SECONDS_PER_DAY = 60
    VoiceClip.objects.create(owner=shopper, seconds=Decimal("58"), status=VoiceStatus.DONE)

    response = api.post(URL, _upload(silence(3)))

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "voice_daily_limit"
    assert VoiceClip.objects.filter(owner=shopper).count() == 1


def test_get_voice_of_another_shopper_is_404(api, other_shopper):
    theirs = VoiceClip.objects.create(
        owner=other_shopper, seconds=Decimal("3"), status=VoiceStatus.DONE, transcript="secret"
    )

    response = api.get(f"{URL}{theirs.public_id}/")

    assert response.status_code == 404
    assert "secret" not in response.content.decode()


def test_voice_needs_a_signed_in_shopper(db):
    response = APIClient().post(URL, _upload(silence(1)))

    assert response.status_code in (401, 403)


def test_voice_routes_are_in_the_schema(api):
    response = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    upload = paths["/api/v1/assistant/voice/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"202", "400", "429"} <= set(upload["responses"])
    assert "404" in paths["/api/v1/assistant/voice/{public_id}/"]["get"]["responses"]
