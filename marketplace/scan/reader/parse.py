"""From what OCR saw (lines of words, each with a confidence) to coupon fields.

Pure functions over text: no image, no database. A field is a `Found(value, confidence)`;
confidence is 0..1, the word confidences Tesseract gave times how sure the rule is that it
picked the right words (a code next to "use code" is surer than a lone capitalised word).
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1
    height: int = 0  # pixels: a store's name is usually the biggest text on the card


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def confidence(self) -> float:
        return min((word.confidence for word in self.words), default=0.0)


@dataclass(frozen=True)
class Found:
    value: object
    confidence: float


@dataclass(frozen=True)
class Store:
    """A store the screenshot may name: its name, and its website's host if known."""

    name: str
    host: str = ""


# --- the code ----------------------------------------------------------------------------------

CODE_SHAPE = re.compile(r"[A-Z0-9][A-Z0-9-]{2,18}[A-Z0-9]")
CODE_HINTS = re.compile(
    r"\b(code|coupon|coupons|promo|promocode|voucher|use|apply|enter|redeem)\b", re.I
)
# Capitalised words that are never the code, however much they look like one.
NOT_CODES = {
    "CODE", "COUPON", "PROMO", "PROMOCODE", "VOUCHER", "OFFER", "OFFERS", "DEAL", "DEALS",
    "VALID", "TILL", "UNTIL", "UPTO", "EXPIRES", "EXPIRY", "APPLY", "COPY", "COPIED", "USE",
    "FLAT", "FREE", "SHIPPING", "DELIVERY", "SAVE", "EXTRA", "OFF", "MIN", "MAX", "ORDER",
    "ORDERS", "ABOVE", "MINIMUM", "MAXIMUM", "DISCOUNT", "CASHBACK", "TERMS", "SHOP",
    "NOW", "GET", "BUY", "ONLY", "NEW", "USERS", "USER", "ALL", "ON", "AND", "THE", "FOR",
    "YOUR", "WITH", "TAP", "CLICK", "HERE", "BOGO", "SALE", "LIMITED", "TIME", "TODAY", "INR",
    "REDEEM", "ENTER", "CHECKOUT", "CART", "WALLET", "UPI", "BANK", "CARD", "CARDS", "DETAILS",
    "CONDITIONS", "EXCLUSIVE", "SPECIAL", "GIFT", "REWARD", "REWARDS", "UNLOCKED", "CONGRATS",
    "CONGRATULATIONS", "VOUCHERS", "SCRATCH", "WON", "YOU", "HAVE", "GOT", "FIRST",
}  # fmt: skip
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_name) if name})
MONTHS["sept"] = 9


def code_candidates(lines: list[Line], *, store_words: set[str]) -> list[Found]:
    """Every token shaped like a coupon code, best first."""
    found: list[Found] = []
    for index, line in enumerate(lines):
        hinted_here = bool(CODE_HINTS.search(line.text))
        hinted_before = index > 0 and bool(CODE_HINTS.search(lines[index - 1].text))
        for word in line.words:
            token = _code_token(word.text)
            if not _looks_like_code(token, store_words=store_words):
                continue
            score = 0.55
            if hinted_here or hinted_before:
                score += 0.3
            if any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token):
                score += 0.1
            if len(line.words) <= 2:  # a code often stands alone in its box
                score += 0.05
            found.append(Found(token, round(min(score, 1.0) * word.confidence, 3)))
    found.sort(key=lambda item: item.confidence, reverse=True)
    return found


def _code_token(text: str) -> str:
    token = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", text)
    # Inside a number an O is a zero ("FLAT5O" is FLAT50): codes end in amounts.
    return re.sub(r"(?<=\d)O+(?=\d|$)", lambda match: "0" * len(match.group()), token)


def _looks_like_code(token: str, *, store_words: set[str]) -> bool:
    if not CODE_SHAPE.fullmatch(token) or token in NOT_CODES or token.lower() in store_words:
        return False
    if token.isdigit():  # a price, a phone number, a year
        return False
    if not any(ch.isalpha() for ch in token):
        return False
    if token.lower() in MONTHS or re.fullmatch(r"\d+(ST|ND|RD|TH)", token):
        return False
    # "20%" is caught by the shape; "RS500", "INR500", "499RS" are prices.
    return not re.fullmatch(r"(RS|INR)\d+|\d+(RS|INR|OFF)", token)


def code_plausible(text: str) -> str | None:
    """What a QR code or barcode holds, if it is a coupon code (or a link that carries one)."""
    text = text.strip()
    match = re.search(r"[?&](?:code|coupon|promo|voucher)=([A-Za-z0-9-]{4,20})\b", text)
    if match:
        return match.group(1).upper()
    if re.fullmatch(r"[A-Za-z0-9-]{4,20}", text) and any(ch.isalpha() for ch in text):
        return text.upper()
    return None


# --- the store ---------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def store_find(lines: list[Line], stores: list[Store]) -> Found | None:
    """The store the screenshot names: its name (or website) in the text, exactly or nearly,
    preferring longer names and bigger text (the header, not a mention in the terms)."""
    words = [(token, word) for line in lines for word in line.words for token in _tokens(word)]
    if not words:
        return None
    tallest = max((word.height for _, word in words), default=0) or 1
    best: tuple[float, Store, float] | None = None
    for store in stores:
        for key in _store_keys(store):
            wanted = "".join(key)
            for start, size in _windows(len(words), len(key)):
                window = words[start : start + size]
                # Spaces don't count: OCR splits "KFC" into "KF C" and joins "Make MyTrip".
                similarity = _similar("".join(token for token, _ in window), wanted)
                height = max(word.height for _, word in window) / tallest
                # A short name ("AJIO", "Vi") nearly matches too many words: only exactly,
                # or in the header's big letters.
                if similarity < 0.8 or (similarity < 1 and len(wanted) < 5 and height < 0.8):
                    continue
                confidence = similarity * min(word.confidence for _, word in window)
                # Rank: exactness first, then longer names (Tata CLiQ over a lone "Tata"),
                # then size on screen.
                rank = similarity * 10 + len(wanted) / 10 + height
                if best is None or rank > best[0]:
                    best = (rank, store, confidence)
    if best is None:
        return None
    return Found(best[1].name, round(min(best[2], 1.0), 3))


def _windows(count: int, size: int):
    """Runs of `size` words, and of one more or one fewer (a name split or joined by OCR)."""
    for length in {max(1, size - 1), size, size + 1}:
        for start in range(count - length + 1):
            yield start, length


def _tokens(word: Word) -> list[str]:
    return _normalise(word.text).split()


def _store_keys(store: Store) -> list[tuple[str, ...]]:
    keys = {tuple(_normalise(store.name).split())}
    host = store.host.lower().removeprefix("www.").removeprefix("in.").removeprefix("online.")
    if host:
        keys.add(tuple(_normalise(host.split(".")[0]).split()))
    return [key for key in keys if key and len("".join(key)) >= 2]


def _similar(seen: str, wanted: str) -> float:
    if seen == wanted:
        return 1.0
    if len(wanted) < 4 or abs(len(seen) - len(wanted)) > max(1, len(wanted) // 6):
        return 0.0
    return SequenceMatcher(None, seen, wanted).ratio()


# --- benefit, minimum order, maximum discount --------------------------------------------------

# Tesseract's English model has no ₹: it reads it as one of these (or drops it, or reads a
# digit: a leading zero, "0250 off", is one since no price starts with 0).
SURE_SIGN = r"₹|rs\.?|inr"
MISREAD_SIGN = r"r5\.?|[=%¥€¢<#&?z~$£\[]|0(?=[1-9])"
SIGN = r"(?P<sign>" + SURE_SIGN + "|" + MISREAD_SIGN + r")"
RUPEE = SIGN + r"?\s?"
AMOUNT = r"(?P<amount>\d{1,3}(?:,\d{2,3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
# Not a word's tail ("SAVE250 %250 off" holds no 50%), and not a guessed ₹ before an amount.
PERCENT_OFF = re.compile(
    r"(?<![\w.,])(\d{1,2}(?:\.\d)?)\s?%(?!\s?\d)\s*(?:off|discount|cashback)?", re.I
)
# An amount followed by "off", a ₹ (or what OCR made of it, or nothing) before it.
FIXED_OFF = re.compile(
    r"(?:(?:flat|get|save|extra)\s+)?(?<![\w.,])" + RUPEE + AMOUNT + r"\s*(?:/-)?\s*off\b", re.I
)
FLAT_AMOUNT = re.compile(r"flat\s+" + RUPEE + AMOUNT + r"(?![\d.,]|\s?%)", re.I)
BOGO = re.compile(r"\b(bogo|b1g1|buy\s*(?:1|one)\s*get\s*(?:1|one))\b", re.I)
FREE_SHIPPING = re.compile(r"\bfree\s+(shipping|delivery)\b", re.I)
MIN_ORDER = re.compile(
    r"(?:min(?:imum)?\.?\s+(?:order|purchase|cart|spend|txn|transaction)(?:\s+(?:value|of|amount))*"
    r"|(?:orders?|purchases?|cart(?:\s+value)?|shopping)\s+(?:above|over|of|worth)(?:\s+or\s+more)?"
    # "₹250 off on ₹1499": "on" and a price (a sign, or three digits: "on 31 Dec" is a date).
    r"|\bon(?=\s+(?:(?:" + SURE_SIGN + "|" + MISREAD_SIGN + r")\s?\d|\d{3}))"
    r"|above|spend)\s*:?\s*" + RUPEE + AMOUNT + r"(?![\d/-]|\.\d)",
    re.I,
)
MAX_DISCOUNT = re.compile(
    r"(?:max(?:imum)?\.?\s+(?:discount|savings?|off|benefit|cashback)(?:\s+(?:of|is))?"
    r"|up\s?to|capped\s+at)\s*:?\s*" + RUPEE + AMOUNT,
    re.I,
)
# How much less sure a rupee amount is when its ₹ was guessed (misread or missing).
GUESSED_SIGN = 0.7


def _money(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _sign_sure(match: re.Match) -> bool:
    sign = match.group("sign")
    return bool(sign) and re.fullmatch(SURE_SIGN, sign, re.I) is not None


def benefit_find(text: str) -> tuple[Found | None, Found | None]:
    """What the coupon gives (percent, fixed, bogo, free_shipping) and its value."""
    if BOGO.search(text):
        return Found("bogo", 0.9), None
    percent = PERCENT_OFF.search(text)
    fixed = FIXED_OFF.search(text) or FLAT_AMOUNT.search(text)
    if percent and (not fixed or percent.start() < fixed.start()):
        return Found("percent", 0.9), Found(str(_money(percent.group(1))), 0.85)
    if fixed and (value := _money(fixed.group("amount"))) is not None:
        factor = 1.0 if _sign_sure(fixed) else GUESSED_SIGN
        return Found("fixed", round(0.85 * factor, 3)), Found(str(value), round(0.8 * factor, 3))
    if FREE_SHIPPING.search(text):
        return Found("free_shipping", 0.85), None
    return None, None


def amount_find(pattern: re.Pattern, text: str) -> Found | None:
    match = pattern.search(text)
    if not match or (value := _money(match.group("amount"))) is None or value <= 0:
        return None
    return Found(str(value), 0.8 if _sign_sure(match) else round(0.8 * GUESSED_SIGN, 3))


# --- the expiry date ---------------------------------------------------------------------------

EXPIRY_HINT = re.compile(
    r"valid\s*(?:till|until|upto|up\s+to|thru|through|to)?|expir(?:es|y|ing)?(?:\s+(?:on|date))?"
    r"|ends?(?:\s+on)?|use\s+(?:by|before)|last\s+date|till|until|before",
    re.I,
)
MONTH_WORD = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_PATTERNS = [
    ("ymd", re.compile(r"\b(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b")),
    ("dmy", re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")),
    ("d_mon_y", re.compile(r"\b" + DAY + r"\s*[-/ ]?\s*" + MONTH_WORD + r"\.?,?\s*[-/ ]?\s*(\d{4})?", re.I)),  # noqa: E501
    ("mon_d_y", re.compile(r"\b" + MONTH_WORD + r"\.?\s+" + DAY + r"\b[,;.]?\s*(\d{4})?", re.I)),
]  # fmt: skip


def expiry_find(text: str, *, today: date) -> Found | None:
    """The expiry date: the first date after a "valid till"-like phrase, else the only date.

    Numeric dates are read day first (31/12/2026), as Indian stores write them; a date
    without a year is its next occurrence from today.
    """
    dates = _dates(text, today=today)
    if not dates:
        return None
    for hint in EXPIRY_HINT.finditer(text):
        after = [found for start, found in dates if start >= hint.end() - 1]
        if after:
            return Found(after[0].isoformat(), 0.9)
    if len(dates) == 1:
        return Found(dates[0][1].isoformat(), 0.7)
    return Found(max(found for _, found in dates).isoformat(), 0.5)


def _dates(text: str, *, today: date) -> list[tuple[int, date]]:
    found: dict[int, date] = {}
    taken: list[range] = []
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            parsed = _date(kind, match.groups(), today=today)
            if parsed:
                found[match.start()] = parsed
                taken.append(range(match.start(), match.end()))
    return sorted(found.items())


def _date(kind: str, parts: tuple, *, today: date) -> date | None:
    try:
        if kind == "ymd":
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        elif kind == "dmy":
            day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
            year += 2000 if year < 100 else 0
        elif kind == "d_mon_y":
            day, month = int(parts[0]), MONTHS[parts[1].lower()[:3]]
            year = int(parts[2]) if parts[2] else None
        else:
            month, day = MONTHS[parts[0].lower()[:3]], int(parts[1])
            year = int(parts[2]) if parts[2] else None
        if year is None:
            year = today.year if date(today.year, month, day) >= today else today.year + 1
        return date(year, month, day)
    except (ValueError, KeyError):
        return None
