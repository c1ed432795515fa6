"""Fixtures of the voice tests: a shopper and their API client, and spoken questions made by
espeak-ng (Debian's `espeak-ng` package) at test time."""

import io
import shutil
import subprocess
import wave

import pytest
from django.contrib.auth import get_user_model

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


def spoken(text: str, tmp_path, *, voice: str = "en-us") -> bytes:
    """A WAV of `text` said by espeak-ng at 140 words a minute (22,050 Hz mono 16-bit)."""
    out = tmp_path / f"{abs(hash((text, voice)))}.wav"
    subprocess.run([ESPEAK, "-v", voice, "-s", "140", "-w", str(out), text], check=True)
    return out.read_bytes()


def wav_of(samples: list[int] | bytes, *, rate: int = 16_000, channels: int = 1) -> bytes:
    """A 16-bit WAV holding `samples` (interleaved when stereo)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        if isinstance(samples, bytes):
            writer.writeframes(samples)
        else:
            import array

            writer.writeframes(array.array("h", samples).tobytes())
    return out.getvalue()


def silence(seconds: float, *, rate: int = 16_000) -> bytes:
    return wav_of(bytes(2 * int(seconds * rate)), rate=rate)


@pytest.fixture
def shopper(db):
    return get_user_model().objects.create_user(email="asha@example.in", password="x-Pass-1234")


@pytest.fixture
def other_shopper(db):
    return get_user_model().objects.create_user(email="ravi@example.in", password="x-Pass-1234")


@pytest.fixture
def stores(db):
    """The stores the questions name, as the catalog writes them."""
    from catalog.models import Merchant

    names = ["Myntra", "Zomato", "Swiggy", "Flipkart", "AJIO", "Nykaa", "BigBasket", "Meesho"]
    for name in names:
        slug = name.lower()
        Merchant.objects.create(
            name=name,
            slug=slug,
            website=f"https://{slug}.example",
            tracking_url_template="https://track.example/c?sub={click_id}",
        )
    return names


@pytest.fixture
def private_media(tmp_path, settings):
    """The private storage in a folder of this test's own, to see files come and go."""
    folder = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "coupzii.core.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder
