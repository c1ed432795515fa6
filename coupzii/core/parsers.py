"""JSON read from outside with limits: bounded nesting, finite numbers, no NUL in text.

Python's json module recurses once per nesting level, so a 2 KB body of a thousand `[` ends
in RecursionError (a 500) before any serializer runs; `1e999` reads as an infinite float and
`NaN` as a float no column can hold; PostgreSQL refuses `\\u0000` in text and jsonb, so a
NUL that reaches a query is a DataError, and a lone surrogate (`\\ud800`) can't be written
as UTF-8 at all. Every JSON body the API or a webhook accepts is read
by `loads_checked`, which refuses all of these up front with a message naming where.
"""

import json
import math
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than anything a client or a provider sends (Razorpay's events nest five levels).
MAX_DEPTH = 32


class UnsafeJson(ValueError):
    """A body that is JSON but must not be used: too deep, a non-finite number, or a NUL."""


def loads_checked(text: str | bytes) -> Any:
    """Parse JSON text, refusing what no endpoint can use. Raises ValueError (UnsafeJson for
    content that parsed but must not be used, json.JSONDecodeError for text that is not JSON).
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    _check(value)
    return value


def _too_deep() -> UnsafeJson:
    return UnsafeJson(_("Nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})


def _refuse_constant(name: str):
    raise UnsafeJson(_("%(name)s is not a number JSON allows.") % {"name": name})


def _check(value: Any) -> None:
    # A loop with its own stack, not recursion: the check itself must not run out of stack.
    pending: list[tuple[Any, str, int]] = [(value, "", 1)]
    while pending:
        item, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else key
                _check_text(key, where)
                pending.append((child, where, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, float) and not math.isfinite(item):
            raise UnsafeJson(_("The number at %(path)s is too large.") % {"path": path or "/"})


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise UnsafeJson(
            _("The text at %(path)s contains a NUL character (\\u0000).") % {"path": path or "/"}
        )
    if text.isascii():
        return
    try:
        text.encode()
    except UnicodeEncodeError:
        # "\\ud800" alone is valid JSON but no character: UTF-8 (and so the database) has no
        # way to write it.
        raise UnsafeJson(
            _("The text at %(path)s is not valid Unicode.") % {"path": path or "/"}
        ) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading through `loads_checked`: a bad body is a 400 `parse_error`."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return loads_checked(stream.read().decode(encoding))
        except UnicodeDecodeError:
            message = _("The body is not %(encoding)s text.") % {"encoding": encoding}
            raise ParseError(message) from None
        except UnsafeJson as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
