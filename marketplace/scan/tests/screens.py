"""Coupon screenshots the suite draws itself with Pillow: the fonts Debian ships (DejaVu,
Liberation, Noto), several sizes and layouts, dark mode, light noise, JPEG artefacts, and a few
with the code in a QR made with segno. Each comes with the truth it shows."""

import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_FILES = [
    "dejavu/DejaVuSans.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSerif.ttf",
    "dejavu/DejaVuSansCondensed.ttf",
    "liberation/LiberationSans-Regular.ttf",
    "liberation/LiberationSans-Bold.ttf",
    "liberation/LiberationSerif-Regular.ttf",
    "noto/NotoSans-Regular.ttf",
    "noto/NotoSans-Bold.ttf",
    "noto/NotoSerif-Regular.ttf",
]
FONT_ROOT = Path("/usr/share/fonts/truetype")
# Monospace faces for the code box, as many apps draw it.
MONO_FILES = ["dejavu/DejaVuSansMono-Bold.ttf", "liberation/LiberationMono-Bold.ttf"]
# Real stores' codes are mostly a word and a number; random ones leave out 0/O and 1/I, as
# most code generators do so shoppers can type them.
WORDS = ["SAVE", "FLAT", "GET", "NEW", "WELCOME", "FEST", "MEGA", "DEAL", "HAPPY", "SUPER"]
UNAMBIGUOUS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Screen:
    png: bytes
    code: str
    store: str
    expires_on: date
    benefit: str
    layout: str


def fonts() -> list[str]:
    found = [str(FONT_ROOT / name) for name in FONT_FILES if (FONT_ROOT / name).exists()]
    return found or [""]  # "" is Pillow's own scalable font


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _mono(rng: random.Random, fallback: str) -> str:
    found = [str(FONT_ROOT / name) for name in MONO_FILES if (FONT_ROOT / name).exists()]
    return rng.choice(found) if found and rng.random() < 0.4 else fallback


def a_code(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(WORDS) + str(rng.choice([10, 15, 20, 25, 50, 100, 150, 200, 250, 500]))
    return "".join(rng.choice(UNAMBIGUOUS) for _ in range(rng.randint(6, 10)))


def screens(stores: list[str], *, count: int, seed: int = 14, today: date) -> list[Screen]:
    rng = random.Random(seed)
    faces = fonts()
    made = []
    for number in range(count):
        store = stores[number % len(stores)]
        made.append(_screen(rng, store=store, face=faces[number % len(faces)], number=number,
                            today=today))  # fmt: skip
    return made


def _screen(rng: random.Random, *, store: str, face: str, number: int, today: date) -> Screen:
    code = a_code(rng)
    width = rng.choice([540, 720, 828, 1080])
    scale = width / 720
    dark = number % 5 == 2
    with_qr = number % 8 == 5
    layout = ["card", "list", "ticket"][number % 3]
    expires_on = date(today.year + 1, rng.randint(1, 12), rng.randint(1, 28))
    benefit, headline = _benefit(rng)
    paper, ink, muted = (
        ("#121212", "#f1f1f1", "#a0a0a0") if dark else ("#ffffff", "#111111", "#555555")
    )
    image = Image.new("RGB", (width, int(width * rng.uniform(1.1, 1.5))), paper)
    draw = ImageDraw.Draw(image)
    size = lambda points: max(12, int(points * scale))  # noqa: E731
    y = int(40 * scale)
    x = int(36 * scale)
    lines: list[tuple[str, int, str, str]] = [
        (store, size(44), ink, face),
        (headline, size(34), ink, face),
    ]
    code_line = {
        "card": f"Use code {code}",
        "list": "Coupon code",
        "ticket": "Apply this code at checkout",
    }[layout]
    lines.append((code_line, size(26), muted if layout != "card" else ink, face))
    if layout != "card":
        lines.append((code, size(40), ink, _mono(rng, face)))
    lines.append((_min_order(rng), size(22), muted, face))
    lines.append((_expiry(rng, expires_on), size(22), muted, face))
    lines.append(("T&C apply. One use per account.", size(18), muted, face))
    for text, points, colour, font_path in lines:
        font = _font(font_path, points)
        if text == code:  # the code in a box with some room around it, as apps draw it
            pad = int(rng.randint(12, 20) * scale)
            y += pad
            box = draw.textbbox((x + pad, y), text, font=font)
            draw.rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad),
                           outline=colour, width=max(2, int(2 * scale)))  # fmt: skip
            draw.text((x + pad, y), text, font=font, fill=colour)
            y += pad + int(points * 1.7)
            continue
        draw.text((x, y), text, font=font, fill=colour)
        y += int(points * 1.7)
    if with_qr:
        qr = segno.make(code, error="m")
        buffer = io.BytesIO()
        qr.save(buffer, kind="png", scale=max(3, int(5 * scale)), border=2)
        tile = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        image.paste(tile, (x, min(y, image.height - tile.height - 4)))
    _noise(rng, image)
    out = io.BytesIO()
    if number % 4 == 3:  # JPEG artefacts, as after a chat app's compression
        image.save(out, format="JPEG", quality=rng.randint(70, 90))
    else:
        image.save(out, format="PNG")
    return Screen(out.getvalue(), code, store, expires_on, benefit, layout)


def _benefit(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["percent", "fixed", "fixed", "bogo", "free_shipping"])
    if kind == "percent":
        return kind, f"{rng.choice([10, 15, 20, 25, 40])}% OFF up to ₹{rng.choice([100, 150, 300])}"
    if kind == "fixed":
        return kind, f"Flat ₹{rng.choice([50, 100, 150, 200, 500])} off"
    if kind == "bogo":
        return kind, "Buy 1 Get 1 free"
    return kind, "Free shipping on your order"


def _min_order(rng: random.Random) -> str:
    amount = rng.choice([199, 299, 499, 999, 1499])
    return rng.choice([f"Min order ₹{amount}", f"On orders above Rs. {amount}",
                       f"Minimum order value: ₹{amount}"])  # fmt: skip


def _expiry(rng: random.Random, day: date) -> str:
    return rng.choice([
        f"Valid till {day:%d/%m/%Y}",
        f"Expires on {day.day} {day:%b %Y}",
        f"Valid until {day:%B} {day.day}, {day.year}",
        f"Expiry: {day:%d-%m-%Y}",
    ])  # fmt: skip


def _noise(rng: random.Random, image: Image.Image) -> None:
    """Light speckle, as from a screenshot of a screenshot."""
    pixels = image.load()
    for _ in range(image.width * image.height // 400):
        px, py = rng.randrange(image.width), rng.randrange(image.height)
        value = rng.randint(0, 255)
        pixels[px, py] = (value, value, value)


def coupon_screenshot(
    *, store: str, code: str, lines: tuple[str, ...] = (), dark: bool = False, qr: bool = False
) -> bytes:
    """One plain coupon card as a PNG: the store, the lines given, "Use code <code>"."""
    face = fonts()[0]
    paper, ink = ("#101010", "#f0f0f0") if dark else ("#ffffff", "#111111")
    image = Image.new("RGB", (720, 900), paper)
    draw = ImageDraw.Draw(image)
    y = 40
    for text, points in ((store, 44), *((line, 28) for line in lines), (f"Use code {code}", 30)):
        draw.text((36, y), text, font=_font(face, points), fill=ink)
        y += int(points * 1.8)
    if qr:
        buffer = io.BytesIO()
        segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
        image.paste(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), (36, y))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
