"""The guard between the engines and the shopper.

- `quoted(text)`: text somebody else wrote (an offer's terms, a listing's title, a screenshot's
  words) as the model receives it: marked as data, cut short, with anything that looks like a
  role marker, a chat template token or a code fence neutralised, invisible characters removed
  and anything that looks like a coupon code masked (a seller's notes or a screenshot's terms
  often repeat the code itself, and codes never reach the model).
- `answer_problems(text, results)`: the rupee figures and code-like words in an answer that no
  tool result contains. An answer with any is replaced by the cards themselves.
- `StreamGuard`: the same check while the answer streams, so a code or figure no tool gave is
  held back instead of being shown and replaced afterwards.

All read text the way a shopper reads it: compatibility forms folded (fullwidth letters,
"₨"), Devanagari and other Indian digits as 0-9, Cyrillic and Greek lookalikes as Latin,
zero-width characters dropped, so "₹१,२५०", "Rs.1,250/-", "₹1 250", "1.25 lakh", "save20",
"**SAVE**20" and "S A V E 2 0" are all seen. A figure is known only as a whole rupee amount of
a tool result (with a currency sign, grouped, or in paise): "₹250" is not grounded by
"₹12,500.00", nor by a count, nor by the digits inside an id or a date, nor by an error that
echoes what the model asked for. Figures inside quoted text do ground an answer (offer titles
carry them: "Flat ₹200 off"); the words around them are not checked, only figures and codes.
"""

import json
import re
import unicodedata
from decimal import Decimal

from coupzii.core.money import InvalidAmount, quantize

QUOTE_MAX_CHARS = 400
CODE_MASK = "\u2022\u2022\u2022\u2022\u2022"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --- Reading text as a shopper does ----------------------------------------------------------

# Zero-width and direction-control characters: invisible, so a code or an instruction can hide
# between them ("SA\u200bVE20").
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff]"
)
_DIGIT_BLOCKS = (
    0x0660,
    0x06F0,
    0x0966,
    0x09E6,
    0x0A66,
    0x0AE6,
    0x0B66,
    0x0BE6,
    0x0C66,
    0x0CE6,
    0x0D66,
)  # Arabic-Indic, Devanagari, Bengali ... Malayalam zeros
_DIGITS = {zero + n: str(n) for zero in _DIGIT_BLOCKS for n in range(10)}
# Cyrillic and Greek letters drawn like Latin ones: Cyrillic S, A, V, E + "20" reads as SAVE20.
_LOOKALIKES = str.maketrans(
    "\u0410\u0412\u0415\u0405\u0406\u0408\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423\u0430"
    "\u0435\u0456\u0458\u043e\u0440\u0441\u0445\u0443\u0455\u0501\u04bb\u04cf\u051b\u051d\u0391\u0392"
    "\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\u03b1\u03bf\u03c1\u03b9\u03bd",
    "ABESIJKMHOPCTXYaeijopcxysdhlqwABEZHIKMNOPTYXaopiv",
)


def _plain(text: str) -> str:
    """`text` folded to what the patterns below read: NFKC, ASCII digits, Latin lookalikes as
    Latin, no invisibles."""
    return _INVISIBLE.sub("", _nfkc(text)).translate(_DIGITS).translate(_LOOKALIKES)


# --- Rupee figures ----------------------------------------------------------------------------

_NUMBER = r"[0-9]+(?:,[0-9]{2,3})*(?:\.[0-9]+)?"
# After a currency sign, thousands may be split by spaces: "₹1 250", "₹ 12 500".
_SPACED = r"[0-9]{1,3}(?:[ \u00a0\u2009\u202f][0-9]{3})+(?:\.[0-9]+)?"
_MULTIPLIERS = {
    "k": 1000,
    "thousand": 1000,
    "हजार": 1000,
    _nfkc("हज़ार"): 1000,
    "lakh": 100000,
    "lakhs": 100000,
    "lac": 100000,
    "lacs": 100000,
    "लाख": 100000,
    "crore": 10000000,
    "crores": 10000000,
    "cr": 10000000,
    "करोड": 10000000,
    _nfkc("करोड़"): 10000000,
}
_MULTIPLIER_WORDS = "|".join(
    re.escape(word) for word in sorted(_MULTIPLIERS, key=len, reverse=True)
)


def _mult(name: str) -> str:
    return rf"(?:\s*(?P<{name}>{_MULTIPLIER_WORDS}))?"


_PREFIX = r"(?:\u20b9|rs\.?|inr|रु\.?|रू\.?)"
_SUFFIX = r"(?:rupees|rupee|rs\b\.?|inr\b|रुपये|रुपए|रुपया|रुपयों|रु(?![\u0900-\u097f])|/-)"
# Letters on either side mean the digits belong to a word or an id, not an amount.
_NOT_BEFORE = r"(?<![a-z0-9.,_\-])"
_NOT_AFTER = r"(?![0-9a-z_]|[.,][0-9])"

_FIGURE = re.compile(
    # ₹1,250 / Rs. 1250.50 / INR 99 / रु 500 / ₹1 250 / Rs.1,250/- / ₹1.25 lakh
    rf"(?<![a-z]){_PREFIX}\s*(?P<a>{_SPACED}|{_NUMBER}){_mult('ma')}{_NOT_AFTER}"
    # 1250 rupees / 1,250/- / 500 रुपये / 2 lakh rupees
    rf"|{_NOT_BEFORE}(?P<b>{_NUMBER}){_mult('mb')}\s*{_SUFFIX}"
    # 1,25,000 / 12,500.00: grouped digits are money in a shopping answer
    rf"|{_NOT_BEFORE}(?P<c>[0-9]{{1,3}}(?:,[0-9]{{2,3}})+(?:\.[0-9]+)?){_mult('mc')}"
    rf"(?![0-9a-z_%]|[.,][0-9])"
    # 1.25 lakh / 3 crore
    rf"|{_NOT_BEFORE}(?P<d>{_NUMBER})\s*(?P<md>lakhs?|lacs?|crores?|लाख|करोड|{_nfkc('करोड़')})"
    rf"(?![a-z])",
    re.IGNORECASE,
)
# Money-shaped numbers in a tool result that carry no currency sign: "1250.00" (paise).
# Counts, quantities, limits and days are whole numbers and never ground a rupee figure.
_PAISE_NUMBER = re.compile(
    r"(?<![a-z0-9.,_\-:/])[0-9]+(?:,[0-9]{2,3})*\.[0-9]{2}(?![0-9a-z_\-:%]|[.,][0-9])",
    re.IGNORECASE,
)


def _amount(digits: str, multiplier: str | None) -> Decimal | None:
    digits = re.sub(r"[,\s\u00a0\u2009\u202f]", "", digits)
    try:
        value = Decimal(digits) * _MULTIPLIERS.get((multiplier or "").lower(), 1)
        return quantize(value)
    except (InvalidAmount, ArithmeticError, ValueError):
        return None


def _figures(text: str) -> list[tuple[str, Decimal | None]]:
    """The rupee figures written in `text` (already plain), each with its amount (None when
    it cannot be read)."""
    found = []
    for match in _FIGURE.finditer(text):
        for digits, mult in (("a", "ma"), ("b", "mb"), ("c", "mc"), ("d", "md")):
            if match.group(digits):
                found.append(
                    (match.group(0).strip(), _amount(match.group(digits), match.group(mult)))
                )
                break
    return found


# --- Codes ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
# Letters and digits that are not codes: ordinals, times, units, sizes, "24x7", "Rs500".
_NOT_A_CODE = re.compile(
    r"^(?:[0-9]+(?:\.[0-9]+)?(?:st|nd|rd|th|am|pm|hrs?|h|mins?|secs?|days?|d|wks?|months?|"
    r"yrs?|k|kg|g|gm|gms|gb|tb|mb|kb|ml|l|ltrs?|cm|mm|km|m|x|px|p|mp|mah|w|kw|v|hz|fps|pcs?|"
    r"inr|rs|lakhs?|lacs?|cr|crores?|off)|(?:rs|inr)[0-9]+(?:\.[0-9]+)?|[0-9]+x[0-9]+)$",
    re.IGNORECASE,
)
# Letters spelled out one by one: "S A V E 2 0", "s-a-v-e-2-0".
_SPELLED = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9](?:[ .\-_·*]{1,2}[A-Za-z0-9]){3,}(?![A-Za-z0-9])"
)
# A word and a number written apart, or with marks between that vanish when read or rendered:
# "SAVE 20", "SAVE-20", "**SAVE**20", "SAVE.20".
_WORD_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])([A-Z]{3,})[ \-_.*'`\"\u00b7]{1,4}([0-9]{2,})(?![A-Za-z0-9%]|[.,][0-9]|\s*%)"
)
# A code follows these words even when it is all letters: "use code WELCOME".
_CODE_INTRO = re.compile(
    r"(?i)(?:\bcode|\bcoupon|\bpromo|\bvoucher|कोड|कूपन)\s*(?:is\b|:|=|-|है)?\s*"
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,})"
)
_CURRENCY_WORDS = {"INR", "RS", "RUPEES", "RUPEE"}


def _compact(token: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", token).upper()


def _looks_like_code(token: str) -> bool:
    """A word a shopper would copy as a coupon code: 4+ letters and digits with both kinds
    (SAVE20, zara-1x9q), or 6+ capitals (WELCOME), and not a unit, time or ordinal."""
    compact = _compact(token)
    if _NOT_A_CODE.match(token.replace("-", "").replace("_", "")):
        return False
    has_digit = any(ch.isdigit() for ch in compact)
    has_letter = any(ch.isalpha() for ch in compact)
    if has_digit and has_letter:
        return len(compact) >= 4
    return has_letter and len(compact) >= 6 and token.replace("-", "").replace("_", "").isupper()


def _code_candidates(text: str) -> list[tuple[str, str]]:
    """(as written, compact form) of everything in `text` (plain) that may be a code."""
    found = []
    for token in _TOKEN.findall(text):
        if _looks_like_code(token):
            found.append((token, _compact(token)))
    for match in _SPELLED.finditer(text):
        compact = _compact(match.group(0))
        if any(ch.isdigit() for ch in compact) and any(ch.isalpha() for ch in compact):
            found.append((match.group(0), compact))
    for match in _WORD_NUMBER.finditer(text):
        if match.group(1).upper() not in _CURRENCY_WORDS:
            found.append((match.group(0), _compact(match.group(0))))
    return found


# --- quoted -----------------------------------------------------------------------------------

_ROLE_MARKERS = re.compile(
    r"(?im)(?:^\s*#+\s*|\b)(?:system|assistant|user|developer|tool|function)\s*:"
    r"|(?:सिस्टम|सहायक|डेवलपर|उपयोगकर्ता)\s*:"
    r"|```|<\|[^|]*\|>|\[/?inst\]|<</?sys>>"
    r"|</?\s*(?:system|assistant|user|developer|tool|tool_calls?|function(?:_call)?|quoted|"
    r"instructions?|im_start|im_end)\b[^>]*>"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def quoted(text: str | None) -> dict:
    """`text` as data for the model: {"quoted": "..."}; empty text gives {"quoted": ""}."""
    cleaned = _CONTROL.sub(" ", _plain(text or ""))
    cleaned = _ROLE_MARKERS.sub(" ", cleaned)
    cleaned = _mask_codes(cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > QUOTE_MAX_CHARS:
        cleaned = cleaned[: QUOTE_MAX_CHARS - 1] + "\u2026"
    return {"quoted": cleaned}


def _mask_codes(text: str) -> str:
    text = _CODE_INTRO.sub(_mask_introduced, text)
    text = _SPELLED.sub(_mask_spelled, text)
    return _TOKEN.sub(lambda m: CODE_MASK if _looks_like_code(m.group(0)) else m.group(0), text)


def _mask_introduced(match: re.Match) -> str:
    code = match.group("code")
    if not code.isupper() and not any(ch.isdigit() for ch in code):
        return match.group(0)  # "code applies on", "Coupon Valid till": words, not a code
    return match.group(0)[: match.start("code") - match.start()] + CODE_MASK


def _mask_spelled(match: re.Match) -> str:
    compact = _compact(match.group(0))
    if any(ch.isdigit() for ch in compact) and any(ch.isalpha() for ch in compact):
        return CODE_MASK
    return match.group(0)


# --- answer_problems --------------------------------------------------------------------------


def answer_problems(text: str, results: list[dict]) -> list[str]:
    """The figures and code-like words in `text` that appear in none of `results` (the tool
    results' model-safe data). An empty list means the answer may be shown."""
    return _problems(text, _known(results))


def _problems(text: str, known: tuple[set[Decimal], set[str]]) -> list[str]:
    known_amounts, known_words = known
    plain = _plain(text or "")
    problems = []
    for written, amount in _figures(plain):
        if amount is None or abs(amount) not in known_amounts:
            problems.append(written)
    for written, compact in _code_candidates(plain):
        if compact not in known_words:
            problems.append(written)
    return problems


def _known(results: list[dict]) -> tuple[set[Decimal], set[str]]:
    """Every rupee figure (with a currency sign, grouped, or in paise) and every word (compact,
    upper case) the tool results hold.

    An "error" in a result is left out: it may repeat what the model asked for (an unknown
    tool's name), and a word does not become grounded by being echoed back."""
    blob = _plain(json.dumps(_without_errors(results), ensure_ascii=False, default=str))
    amounts = {abs(amount) for _written, amount in _figures(blob) if amount is not None}
    for match in _PAISE_NUMBER.finditer(blob):
        amount = _amount(match.group(0), None)
        if amount is not None:
            amounts.add(amount)
    words = {_compact(token) for token in _TOKEN.findall(blob)}
    words.update(compact for _written, compact in _code_candidates(blob))
    return amounts, words


def _without_errors(value):
    if isinstance(value, dict):
        return {key: _without_errors(item) for key, item in value.items() if key != "error"}
    if isinstance(value, list | tuple):
        return [_without_errors(item) for item in value]
    return value


# --- While the answer streams ----------------------------------------------------------------


class StreamGuard:
    """Passes an answer's words on as they stream, checked by the same rules as
    `answer_problems`: words go out once the text up to them is grounded; the last
    HOLD_CHARS characters wait (they may still grow into a figure or a code: "₹1" -> "₹1,250",
    "S A V E" -> "S A V E 2 0"); at the first problem nothing more goes out.

        guard = StreamGuard()
        for delta in deltas:
            piece = guard.feed(delta, results)   # results: the tool results so far
            if piece: send(piece)
        rest = guard.finish(results)
        if guard.stopped: replace the answer   # else send(rest)

    The tool results only grow during a turn, so what they ground is worked out again only
    when more arrive.
    """

    HOLD_CHARS = 24
    # What was sent is checked already; the new words are checked with this much before them
    # (from a word's start), enough for any figure or code that runs across the seam, and the
    # cost per piece stays flat however long the answer grows.
    CONTEXT_CHARS = 80

    def __init__(self):
        self.text = ""
        self.shown = 0
        self.stopped = False
        self._known_for = -1
        self._known: tuple[set[Decimal], set[str]] = (set(), set())

    def feed(self, delta: str, results: list[dict]) -> str:
        self.text += delta or ""
        if self.stopped:
            return ""
        return self._release(self._safe_end(), results)

    def finish(self, results: list[dict]) -> str:
        """The words still held back ("" when the guard stopped the answer)."""
        if self.stopped:
            return ""
        return self._release(len(self.text), results)

    def _safe_end(self) -> int:
        # A space with a whole word before it and no digit after it, far enough from the end:
        # no figure or code can straddle it.
        for end in range(len(self.text) - self.HOLD_CHARS, self.shown, -1):
            if self._is_break(end):
                return end
        return self.shown

    def _is_break(self, end: int) -> bool:
        text = self.text
        if not text[end].isspace() or end + 1 >= len(text):
            return False
        before = text[max(0, end - 2) : end]
        after = text[end + 1]
        return (
            len(before) == 2
            and not before[-1].isspace()
            and not before[0].isspace()
            and not before[-1].isdigit()
            and not after.isdigit()
            and not after.isspace()
        )

    def _window_start(self) -> int:
        start = self.shown - self.CONTEXT_CHARS
        if start <= 0:
            return 0
        space = self.text.rfind(" ", 0, start)
        return space + 1 if space >= 0 else 0

    def _release(self, end: int, results: list[dict]) -> str:
        if end <= self.shown:
            return ""
        if self._known_for != len(results):
            self._known = _known(results)
            self._known_for = len(results)
        if _problems(self.text[self._window_start() : end], self._known):
            self.stopped = True
            return ""
        piece = self.text[self.shown : end]
        self.shown = end
        return piece
