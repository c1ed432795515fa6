"""Pronunciations for the recogniser: CMU dictionary words as they are, store names that are not
in it ("Myntra", "BigBasket", "KFC") from the dictionary's own words or from letter rules.

Why rules of our own and not espeak-ng: stores are added in the admin at any time, so the
pronunciations are made when the recogniser is built, on every worker; a subprocess per word
would make espeak-ng a production dependency. The rules below are written for the way Indian
shoppers say Indian brand names (a short "a" is AA, a final "o" is OW, "y" between consonants
is IH), and are tried after the two surer ways: the word split into dictionary words
("bookmyshow" = book my show, "healthkart" = health + kart), and letters said one by one
for short all-consonant names ("kfc", "pvr").
"""

from collections.abc import Callable
from functools import cache

# ARPABET for each letter said on its own (acronyms: "KFC", "PVR", "1mg").
LETTER_NAMES = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N",
    "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW",
    "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z EH D",
}  # fmt: skip
DIGIT_WORDS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four",
    "5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine",
}  # fmt: skip
VOWELS = set("aeiou")

# Letter groups, longest first; each maps to phones. A vowel's sound can depend on where it is,
# which _vowel decides.
GROUPS = {
    "tch": "CH", "sch": "SH",
    "sh": "SH", "ch": "CH", "th": "TH", "ph": "F", "kh": "K", "gh": "G", "bh": "B",
    "dh": "D", "jh": "JH", "ck": "K", "qu": "K W", "ng": "NG", "nk": "NG K", "wh": "W",
    "aa": "AA", "ee": "IY", "oo": "UW", "ai": "EY", "ay": "EY", "au": "AO", "aw": "AO",
    "ou": "AW", "ow": "OW", "oy": "OY", "oi": "OY", "ea": "IY", "ie": "IY", "ei": "EY",
    "ey": "EY", "ui": "UW", "ue": "UW", "io": "IY OW",
}  # fmt: skip
CONSONANTS = {
    "b": "B", "c": "K", "d": "D", "f": "F", "g": "G", "h": "HH", "j": "JH", "k": "K", "l": "L",
    "m": "M", "n": "N", "p": "P", "q": "K", "r": "R", "s": "S", "t": "T", "v": "V", "w": "W",
    "x": "K S", "z": "Z",
}  # fmt: skip
# Dictionary words shorter than this are not used as parts of a split: the CMU dictionary holds
# odd short entries ("clo", "ato") whose sound is rarely the one meant; common short words
# that brand names are made of are let through by name.
PART_MIN_LETTERS = 4
SHORT_PARTS = {"my", "go", "big", "cry", "fit", "fry", "net", "box", "pay", "day", "one", "kid"}
# A name that is a dictionary word and a few letters more ("healthkart"): the word's phones and
# the rest by rules, when the rest has at least this many letters.
TAIL_MIN_LETTERS = 3


def letters_to_phones(word: str, *, anglicised: bool = False, long_y: bool = False) -> str:
    """ARPABET for a word by letter rules (no dictionary). Alternatives the recogniser may
    pick: `anglicised`, the vowels an English reader gives a first or last "a" ("Myntra"
    ending in a schwa); `long_y`, a "y" inside the word said "eye" ("Nykaa" as "nai-kaa")."""
    word = word.lower()
    phones: list[str] = []
    position = 0
    while position < len(word):
        for size in (3, 2):
            group = word[position : position + size]
            if len(group) == size and group in GROUPS:
                phones.append(GROUPS[group])
                position += size
                break
        else:
            letter = word[position]
            phones.extend(_letter_phones(word, position, letter, anglicised, long_y))
            position += 1
    return " ".join(_without_repeats(" ".join(phones).split()))


def _letter_phones(
    word: str, position: int, letter: str, anglicised: bool, long_y: bool
) -> list[str]:
    if letter in VOWELS or letter == "y":
        return _vowel(word, position, letter, anglicised, long_y)
    next_letter = word[position + 1] if position + 1 < len(word) else ""
    if letter == "c" and next_letter in ("e", "i", "y"):
        return ["S"]
    if letter == "g" and next_letter in ("e", "i") and position == 0:
        return ["JH"]
    if letter in CONSONANTS:
        return [CONSONANTS[letter]]
    return []


def _vowel(word: str, position: int, letter: str, anglicised: bool, long_y: bool) -> list[str]:
    last = position == len(word) - 1
    if letter == "y":
        if position == 0:
            return ["Y"]
        if last:
            return ["IY"]
        return ["AY"] if long_y else ["IH"]
    if letter == "e":
        # A final "e" after a consonant is silent ("wakefit"'s parts, "clove"), except in a
        # two-letter word.
        if last and len(word) > 2:
            return []
        return ["EH"]
    if letter == "a":
        if anglicised and position == 0:
            return ["AE"]
        return ["AH"] if anglicised and last else ["AA"]
    if letter == "i":
        return ["IY"] if last else ["IH"]
    if letter == "o":
        return ["OW"]
    return ["UW"]  # "u"


def _without_repeats(phones: list[str]) -> list[str]:
    # Doubled letters are one sound ("purplle", "pepperfry").
    kept: list[str] = []
    for phone in phones:
        if not kept or kept[-1] != phone:
            kept.append(phone)
    return kept


def spelled(word: str) -> str:
    """ARPABET for a word said letter by letter (digits as number words need a dictionary)."""
    return " ".join(LETTER_NAMES[letter] for letter in word.lower() if letter in LETTER_NAMES)


def is_acronym_like(word: str) -> bool:
    """Short names without vowels are said letter by letter: "kfc", "pvr"."""
    return len(word) <= 4 and not any(letter in VOWELS or letter == "y" for letter in word)


def pronunciations(word: str, lookup: Callable[[str], str | None]) -> list[str]:
    """Ways to say `word` (lower case, letters and digits), surest first; `lookup` gives a
    dictionary word's phones or None. Empty when the word has no letters to say."""
    word = word.lower()
    known = lookup(word)
    if known:
        return [known]
    found: list[str] = []
    if any(character.isdigit() for character in word):
        found.extend(_with_digits(word, lookup))
    elif is_acronym_like(word):
        found.append(spelled(word))
    else:
        parts = _split_into_words(word, lookup)
        if parts:
            found.append(" ".join(lookup(part) or "" for part in parts))
        else:
            found.extend(_word_and_tail(word, lookup))
        for anglicised in (False, True):
            for long_y in (False, True):
                found.append(letters_to_phones(word, anglicised=anglicised, long_y=long_y))
    return [phones for phones in dict.fromkeys(found) if phones.strip()]


def _with_digits(word: str, lookup: Callable[[str], str | None]) -> list[str]:
    # "1mg": one, then the letters said one by one.
    phones: list[str] = []
    for character in word:
        if character.isdigit():
            phones.append(lookup(DIGIT_WORDS[character]) or "")
        elif character in LETTER_NAMES:
            phones.append(LETTER_NAMES[character])
    return [" ".join(phones)]


def _word_and_tail(word: str, lookup: Callable[[str], str | None]) -> list[str]:
    # The longest dictionary word the name starts with, the rest by rules ("lens" + "kart").
    for end in range(len(word) - TAIL_MIN_LETTERS, PART_MIN_LETTERS - 1, -1):
        head = lookup(word[:end])
        if head:
            return [f"{head} {letters_to_phones(word[end:])}"]
    return []


def _split_into_words(word: str, lookup: Callable[[str], str | None]) -> list[str] | None:
    """The fewest dictionary words that spell `word` ("makemytrip" -> make my trip), or None."""

    @cache
    def best(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        choice: tuple[str, ...] | None = None
        for end in range(len(word), start, -1):
            part = word[start:end]
            if len(part) < PART_MIN_LETTERS and part not in SHORT_PARTS:
                continue
            if not lookup(part):
                continue
            rest = best(end)
            if rest is not None and (choice is None or len(rest) + 1 < len(choice)):
                choice = (part, *rest)
        return choice

    parts = best(0)
    return list(parts) if parts and len(parts) > 1 else None
