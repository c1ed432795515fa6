"""Read a coupon screenshot into locker fields, each with a confidence (0..1).

QR codes and barcodes come first (zxing-cpp): one that holds a plausible code wins outright.
Then Tesseract (Debian's `tesseract-ocr` and its English model, through pytesseract, so nothing
is downloaded at run time) reads the text of a couple of cleaned-up versions of the image
(grayscale, small images enlarged, dark mode inverted; then, if that reading is unsure,
thresholded with boxes erased), and the most confident reading wins. `parse` turns the
words into fields.

    reading = read_screenshot(image_bytes, stores=[Store("Myntra", "www.myntra.com"), ...])
    reading.fields  # {"code": {"value": "SAVE20", "confidence": 0.93}, "store": {...}, ...}
"""

from dataclasses import dataclass, field
from datetime import date

from .images import ocr_lines, open_image, read_barcodes, variants
from .parse import (
    MAX_DISCOUNT,
    MIN_ORDER,
    Found,
    Line,
    Store,
    amount_find,
    benefit_find,
    code_candidates,
    code_plausible,
    expiry_find,
    store_find,
)

__all__ = ["Reading", "Store", "UnreadableImage", "read_screenshot"]

# Good enough to stop trying other versions of the image.
SURE = 0.7


class UnreadableImage(ValueError):
    """The bytes are not an image Pillow can open."""


@dataclass
class Reading:
    fields: dict = field(default_factory=dict)
    text: str = ""

    @property
    def code_confidence(self) -> float:
        return self.fields.get("code", {}).get("confidence", 0.0)

    @property
    def score(self) -> float:
        found = sum(item["confidence"] for key, item in self.fields.items() if key != "code")
        return self.code_confidence * 10 + found


def read_screenshot(data: bytes, *, stores: list[Store], today: date | None = None) -> Reading:
    """Fields found in the screenshot. Raises UnreadableImage if it is not an image."""
    today = today or date.today()
    try:
        image = open_image(data)
    except Exception as error:  # Pillow raises a handful of types for a bad file
        raise UnreadableImage(str(error)) from error
    barcode_code = next(filter(None, map(code_plausible, read_barcodes(image))), None)
    best: Reading | None = None
    for version in variants(image):
        reading = _reading(ocr_lines(version), stores=stores, today=today)
        if best is None or reading.score > best.score:
            best = reading
        if best.code_confidence >= SURE and "store" in best.fields:
            break
    if barcode_code:
        best.fields["code"] = {"value": barcode_code, "confidence": 0.99}
    return best


def _reading(lines: list[Line], *, stores: list[Store], today: date) -> Reading:
    text = "\n".join(line.text for line in lines)
    flat = " ".join(line.text for line in lines)
    found: dict[str, Found | None] = {}
    found["store"] = store_find(lines, stores)
    store_words = {word for store in stores for word in store.name.lower().split()}
    store_words |= {store.host.lower().split(".")[-2] for store in stores if "." in store.host}
    candidates = code_candidates(lines, store_words=store_words)
    found["code"] = candidates[0] if candidates else None
    found["benefit"], found["benefit_value"] = benefit_find(flat)
    found["min_order"] = amount_find(MIN_ORDER, flat)
    found["max_discount"] = amount_find(MAX_DISCOUNT, flat)
    found["expires_on"] = expiry_find(flat, today=today)
    fields = {
        name: {"value": item.value, "confidence": round(float(item.confidence), 3)}
        for name, item in found.items()
        if item is not None
    }
    return Reading(fields=fields, text=text)
