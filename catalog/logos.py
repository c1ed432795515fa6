"""Generated merchant logos: the brand's initials on its brand colour, as a small SVG.

Nothing is downloaded: real logos are the brands' trademarks and would need their permission,
so demo merchants (and any merchant an operator adds without a logo) get a clean badge.
"""

import re
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile

# Words that make poor initials ("The Souled Store" -> "SS", not "TS").
_SKIP_WORDS = {"the", "and", "of", "by"}
# A trailing web suffix is part of the brand's name but not of its initials (Booking.com -> Bo).
_WEB_SUFFIX = re.compile(r"\.(com|in|co|fit|net|org)$", re.IGNORECASE)
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DARK_TEXT = "#111827"
LIGHT_TEXT = "#ffffff"
DEFAULT_COLOUR = "#0f766e"


def initials(name: str) -> str:
    """One or two characters for a badge: the first letters of the first two words, or the
    first two characters of a one-word name ("Tata CLiQ" -> "TC", "Myntra" -> "My")."""
    cleaned = _WEB_SUFFIX.sub("", name.strip()).replace("'", "").replace("\u2019", "")
    words = [word for word in re.findall(r"[^\W_]+", cleaned) if word.lower() not in _SKIP_WORDS]
    if not words:
        return "?"
    if len(words) == 1:
        word = words[0]
        return word[0].upper() + word[1:2].lower()
    return (words[0][0] + words[1][0]).upper()


def safe_colour(colour: str) -> str:
    """`colour` when it is a #rrggbb value, else the site's teal."""
    return colour if _HEX_COLOUR.match(colour or "") else DEFAULT_COLOUR


def text_colour_for(background: str) -> str:
    """White or near-black, whichever reads better on `background` (WCAG relative luminance)."""
    if not _HEX_COLOUR.match(background or ""):
        return LIGHT_TEXT
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Badge letters are large and bold, where WCAG asks for 3:1: brands look like themselves
    # in white, so white wins whenever it reaches that; dark text only on light colours.
    return LIGHT_TEXT if 1.05 / (luminance + 0.05) >= 3 else DARK_TEXT


def logo_svg(name: str, brand_colour: str) -> str:
    """A square badge (rounded corners) with the initials centred on the brand colour."""
    colour = safe_colour(brand_colour)
    letters = initials(name)
    size = 44 if len(letters) == 1 else 38
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96" '
        f'role="img" aria-label="{escape(name, {chr(34): "&quot;"})}">'
        f'<rect width="96" height="96" rx="22" fill="{colour}"/>'
        f'<text x="48" y="50" fill="{text_colour_for(colour)}" font-size="{size}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" '
        'font-weight="800" text-anchor="middle" dominant-baseline="central" '
        f'letter-spacing="-1">{escape(letters)}</text></svg>'
    )


def logo_attach(merchant) -> None:
    """Write a generated logo for `merchant` through default storage into `merchant.logo`.

    Saves only the `logo` field; a merchant that already has a logo keeps it.
    """
    if merchant.logo:
        return
    content = ContentFile(logo_svg(merchant.name, merchant.brand_color).encode())
    # A file left behind by an earlier database (media outlives a reset) is this slug's old
    # badge: replace it rather than pile up "myntra_x7Yz.svg" copies.
    storage = merchant.logo.storage
    name = merchant.logo.field.generate_filename(merchant, f"{merchant.slug}.svg")
    if storage.exists(name):
        storage.delete(name)
    merchant.logo.save(f"{merchant.slug}.svg", content, save=False)
    merchant.save(update_fields=["logo", "updated_at"])
