"""The image side of the reader: open, clean up, decode barcodes, and OCR into lines of words."""

import io
import os

import pytesseract
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from .parse import Line, Word

# Tesseract's OpenMP threads fight each other (and the other web or worker processes) on a
# small machine; one thread per page is faster overall.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# Tesseract reads best when capital letters are 20-40 pixels tall: phone screenshots shrunk by
# chat apps are enlarged to this width, huge ones reduced (time grows with pixels).
TARGET_WIDTH = 1200
MAX_WIDTH = 1800
# psm 11: sparse text, in no particular order (a coupon card is boxes and badges, not prose).
TESSERACT_CONFIG = "--oem 1 --psm 11"
TESSERACT_TIMEOUT = 30  # seconds


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent pixels are drawn on white, the way a viewer shows them.
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def read_barcodes(image: Image.Image) -> list[str]:
    """The text of every QR code and barcode in the image."""
    try:
        return [result.text for result in zxingcpp.read_barcodes(image) if result.text]
    except (RuntimeError, ValueError):  # a decoder failure: the text is still read
        return []


def variants(image: Image.Image):
    """Cleaned-up versions to OCR, most promising first: grayscale at a readable size with dark
    mode inverted (dark text on light); then black and white with boxes and rules erased."""
    gray = ImageOps.grayscale(image)
    width, height = gray.size
    scale = TARGET_WIDTH / width if width < TARGET_WIDTH else min(1.0, MAX_WIDTH / width)
    if scale != 1.0:
        gray = gray.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
    if _mean(gray) < 128:  # dark mode: light text on a dark page
        gray = ImageOps.invert(gray)
    gray = ImageOps.autocontrast(gray, cutoff=1)
    yield gray
    # A median filter first: speckle (a screenshot of a screenshot, JPEG noise) would otherwise
    # survive the threshold as dots Tesseract tries to read.
    smooth = gray.filter(ImageFilter.MedianFilter(3))
    threshold = _otsu(smooth)
    yield _without_lines(smooth.point(lambda value: 255 if value > threshold else 0))


def _without_lines(black_white: Image.Image) -> Image.Image:
    """The black-and-white image with boxes and rules erased: Tesseract skips text drawn inside
    a rectangle (where apps put the code), taking the box for a picture.

    A rule is a row of ink at least an eighth of the width long (no letter is); whatever ink
    touches it (the rest of the box) is flood-filled with paper. Rows are found by squeezing
    each band of the image to one pixel wide: a band that stays black is solid ink.
    """
    width, height = black_white.size
    span = max(width // 8, 24)
    image = black_white.copy()
    pixels = image.load()
    for offset in (0, span // 2):
        bands = (width - offset) // span
        if bands < 1:
            continue
        squeezed = image.crop((offset, 0, offset + bands * span, height)).resize(
            (bands, height), Image.Resampling.BOX
        )
        darkness = squeezed.load()
        for band in range(bands):
            for row in range(height):
                seed = (offset + band * span + span // 2, row)
                if darkness[band, row] <= 12 and pixels[seed] == 0:
                    ImageDraw.floodfill(image, seed, 255)
    return image


def _mean(gray: Image.Image) -> float:
    histogram = gray.histogram()
    return sum(value * count for value, count in enumerate(histogram)) / max(sum(histogram), 1)


def _otsu(gray: Image.Image) -> int:
    """The threshold that best splits the histogram into ink and paper (Otsu's method)."""
    histogram = gray.histogram()
    total = sum(histogram)
    sum_all = sum(value * count for value, count in enumerate(histogram))
    weight_back = sum_back = 0
    best, threshold = 0.0, 128
    for value, count in enumerate(histogram):
        weight_back += count
        if weight_back == 0:
            continue
        weight_fore = total - weight_back
        if weight_fore == 0:
            break
        sum_back += value * count
        mean_back = sum_back / weight_back
        mean_fore = (sum_all - sum_back) / weight_fore
        between = weight_back * weight_fore * (mean_back - mean_fore) ** 2
        if between > best:
            best, threshold = between, value
    return threshold


def ocr_lines(gray: Image.Image) -> list[Line]:
    """Tesseract's words grouped into lines, top to bottom, with confidences 0..1."""
    data = pytesseract.image_to_data(
        gray,
        lang="eng",
        config=TESSERACT_CONFIG,
        output_type=pytesseract.Output.DICT,
        timeout=TESSERACT_TIMEOUT,
    )
    lines: dict[tuple, Line] = {}
    tops: dict[tuple, int] = {}
    for index, text in enumerate(data["text"]):
        text = (text or "").strip()
        confidence = float(data["conf"][index])
        if not text or confidence < 0:
            continue
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        lines.setdefault(key, Line())
        tops.setdefault(key, data["top"][index])
        lines[key].words.append(
            Word(text=text, confidence=confidence / 100, height=data["height"][index])
        )
    return [lines[key] for key in sorted(lines, key=lambda key: (tops[key], key))]
