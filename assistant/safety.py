"""The guard between the engines and the shopper.

- `quoted(text)`: text somebody else wrote (an offer's terms, a listing's title, a screenshot's
  words) as the model receives it: marked as data, cut short, with anything that looks like a
  role marker or a code fence neutralised, so it reads as a quotation and not as instructions.
- `answer_problems(text, results)`: the rupee figures and code-like words in an answer that no
  tool result contains. An answer with any is replaced by the cards themselves.
"""

import json
import re

from coupzii.core.money import InvalidAmount, quantize

QUOTE_MAX_CHARS = 400

# ₹1,250 / Rs. 1250.50 / INR 99 / 1250 rupees
_RUPEES = re.compile(
    r"(?:\u20b9|\brs\.?|\binr)\s*(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:rupees|रुपये|रुपए)",
    re.IGNORECASE,
)
# A coupon code as shoppers see them: 5+ letters and digits in capitals with at least one digit
# and one letter (SAVE20, ZARA-1X9Q). Ordinary words and figures do not match.
_CODE_LIKE = re.compile(r"\b(?=[A-Z0-9_-]*\d)(?=[A-Z0-9_-]*[A-Z])[A-Z0-9][A-Z0-9_-]{4,}\b")
_ROLE_MARKERS = re.compile(r"(?im)^\s*(system|assistant|user|developer|tool)\s*:|```|<\|[^|]*\|>")


def quoted(text: str | None) -> dict:
    """`text` as data for the model: {"quoted": "..."}; empty text gives {"quoted": ""}."""
    cleaned = _ROLE_MARKERS.sub(" ", text or "")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > QUOTE_MAX_CHARS:
        cleaned = cleaned[: QUOTE_MAX_CHARS - 1] + "\u2026"
    return {"quoted": cleaned}


def answer_problems(text: str, results: list[dict]) -> list[str]:
    """The figures and code-like words in `text` that appear in none of `results` (the tool
    results' model-safe data). An empty list means the answer may be shown."""
    known_amounts, known_words = _known(results)
    problems = []
    for match in _RUPEES.finditer(text):
        digits = (match.group(1) or match.group(2)).replace(",", "")
        try:
            amount = quantize(digits)
        except InvalidAmount:
            problems.append(match.group(0))
            continue
        if amount not in known_amounts:
            problems.append(match.group(0).strip())
    for word in _CODE_LIKE.findall(text):
        if word not in known_words:
            problems.append(word)
    return problems


def _known(results: list[dict]) -> tuple[set, set]:
    blob = json.dumps(results, ensure_ascii=False, default=str)
    amounts = set()
    for raw in re.findall(r"\d[\d,]*(?:\.\d+)?", blob):
        try:
            amounts.add(quantize(raw.replace(",", "")))
        except InvalidAmount:
            continue
    words = set(re.findall(r"[A-Za-z0-9_-]+", blob))
    return amounts, words
