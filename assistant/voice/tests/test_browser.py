"""The voice button in a real Chromium: the microphone (a spoken question fed to Chromium as
its fake capture device) is recorded, turned into a 16 kHz WAV by assistant_voice.js, uploaded,
polled, and its transcript put in the message box for editing, not sent.

The page is the real _voice.html beside a message box; the API answers are played by the test
from the real transcription of the uploaded WAV, so the browser's WAV is what is checked."""

import json
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from assistant.voice import transcribe
from assistant.voice.transcribe import Vocabulary, clip_read

from .conftest import needs_espeak, spoken

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    needs_espeak,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]
# localhost: a secure context, where getUserMedia exists (as on the HTTPS site).
ORIGIN = "http://localhost:8765"
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "assistant_voice.js"
VOCABULARY = Vocabulary(stores=("Zomato", "Swiggy", "Myntra", "Flipkart", "AJIO"))
CLIP_ID = "6f1c0a52-52a5-4c55-9d1c-3b8f1f5c2a10"


def _page_html() -> str:
    voice = render_to_string("assistant/_voice.html")
    return (
        '<!doctype html><html lang="en"><body><form id="cz-chat-form" method="post" action="/sent">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="token-1">'
        '<div class="cz-chat-row"><textarea id="cz-chat-message" name="message"></textarea>'
        f'{voice}<button type="submit">Send</button></div></form></body></html>'
    )


def _audio_part(body: bytes, content_type: str) -> bytes:
    boundary = content_type.split("boundary=", 1)[1].encode()
    for part in body.split(b"--" + boundary):
        head, _sep, data = part.partition(b"\r\n\r\n")
        if b'name="audio"' in head:
            return data.removesuffix(b"\r\n")
    raise AssertionError("no audio part in the upload")


@pytest.mark.parametrize(
    "recognition",
    [
        pytest.param("absent", id="no-speech-recognition"),
        # Chromium's own recogniser fails here ("audio-capture": it can't use the fake
        # device, as it fails offline with "network"), and the page falls back to recording.
        pytest.param("failing", id="speech-recognition-failing"),
    ],
)
def test_recorded_question_is_transcribed_into_the_message_box(tmp_path, recognition):
    # given: Chromium's microphone says a question
    question = tmp_path / "question.wav"
    question.write_bytes(spoken("find zomato coupons", tmp_path))
    uploads: list[dict] = []
    sent: list[str] = []

    def api(route, request):
        if request.method == "POST":
            assert request.headers.get("x-csrftoken") == "token-1"
            clip = clip_read(_audio_part(request.post_data_buffer, request.headers["content-type"]))
            uploads.append({"clip": clip, "text": transcribe.transcribe(clip, VOCABULARY)})
            answer = {"id": CLIP_ID, "status": "queued", "transcript": "", "error": ""}
            return route.fulfill(status=202, json=answer)
        answer = {"id": CLIP_ID, "status": "done", "transcript": uploads[-1]["text"], "error": ""}
        return route.fulfill(status=200, body=json.dumps(answer), content_type="application/json")

    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={question}%noloop",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            page = browser.new_page()
            if recognition == "absent":
                page.add_init_script(
                    "delete window.SpeechRecognition; delete window.webkitSpeechRecognition;"
                )
            page.route(
                f"{ORIGIN}/",
                lambda route: route.fulfill(body=_page_html(), content_type="text/html"),
            )
            page.route("**/assistant_voice*.js", lambda route: route.fulfill(path=str(SCRIPT)))
            page.route("**/api/v1/assistant/voice/**", api)
            page.route(f"{ORIGIN}/sent", lambda route: sent.append("sent") or route.abort())
            page.goto(f"{ORIGIN}/")
            button = page.get_by_test_id("voice")
            # when: the shopper presses the microphone, speaks, and presses it again
            button.click()
            time.sleep(3.5)
            button.click()
            page.wait_for_function(
                "document.getElementById('cz-chat-message').value !== ''", timeout=20_000
            )
            box = page.locator("#cz-chat-message").input_value()
            status = page.get_by_test_id("voice-status").inner_text()
            status_under_box = page.evaluate(
                "document.querySelector('.cz-chat-row').nextElementSibling.id"
            )
        finally:
            browser.close()
    # then: one 16 kHz clip of the few seconds recorded, its words in the box, nothing sent
    assert len(uploads) == 1
    assert 2 <= uploads[0]["clip"].seconds <= 5
    assert "Zomato" in box
    assert box == uploads[0]["text"]
    assert "Check the words" in status
    assert status_under_box == "cz-voice-status"
    assert sent == []
    print(f"\nbrowser recording ({recognition}): {uploads[0]['clip'].seconds} s -> {box!r}")
