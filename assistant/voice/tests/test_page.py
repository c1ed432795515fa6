"""The chat page's microphone button: present but hidden until its script finds a way to
listen, pointing at the voice API, with no inline code (the CSP allows none)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_chat_page_has_a_hidden_voice_button_for_the_message_box(client, shopper):
    client.force_login(shopper)

    page = client.get(reverse("assistant:chat")).content.decode()

    voice = re.search(r"<span class=\"cz-voice\"[^>]*>", page).group(0)
    assert " hidden" in voice
    assert 'data-target="cz-chat-message"' in voice
    assert 'id="cz-chat-message"' in page
    assert 'data-upload-url="/api/v1/assistant/voice/"' in voice
    assert re.search(r'<script src="[^"]*js/assistant_voice[.\w]*js" defer>', page)
    assert not re.search(
        r"\son[a-z]+=", page.split("data-cz-voice", 1)[1].split("</span>\n<script", 1)[0]
    )
