"""Checks for text that comes from outside: NUL characters anywhere, and the one shape every
code (voucher, book, promo) must have."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
CODE_MAX_LENGTH = 64
# What a printed or typed code is made of: letters, digits, and the separators cards print.
CODE_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")


def has_nul(value) -> bool:
    """Whether a NUL is in this text, or in any key or text inside these dicts and lists.

    PostgreSQL refuses NUL in text and jsonb columns (a DataError), and SQLite keeps it but
    cuts the text there in some readers; it is never part of anything a person typed.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def code_problem(code: str, *, max_length: int = CODE_MAX_LENGTH) -> str | None:
    """Why `code` cannot be a code, or None when it can.

    One rule for every code that enters: voucher codes (and their PINs) for gift cards, codes
    in a brand's book, promo codes, offers' coupon codes. A code is read aloud at tills and
    typed into shops, so it is ASCII letters, digits, `-` and `_`: no NUL (PostgreSQL refuses
    it), no control or bidirectional characters (U+202E shows `ABC123` as `321CBA`), no
    look-alike letters from other scripts. `max_length` is the column's (64 by default).
    """
    if not code:
        return str(_("A code can't be empty."))
    if len(code) > max_length:
        return str(_("A code has at most %(max)s characters.") % {"max": max_length})
    if CODE_CHARACTERS.fullmatch(code):
        return None
    bad = next(char for char in code if not CODE_CHARACTERS.fullmatch(char))
    return str(
        _("A code has only letters A-Z, digits, '-' and '_', not %(char)s.")
        % {"char": _describe(bad)}
    )


def _describe(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


@deconstructible
class CodeValidator:
    """`code_problem` as a model, form and serializer field validator."""

    def __init__(self, max_length: int = CODE_MAX_LENGTH):
        self.max_length = max_length

    def __call__(self, value) -> None:
        problem = code_problem(str(value), max_length=self.max_length)
        if problem:
            raise ValidationError(problem, code="invalid_code")

    def __eq__(self, other) -> bool:
        return isinstance(other, CodeValidator) and other.max_length == self.max_length
