"""Text the site writes once and shows in every language: rendered per language when saved."""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

# A callable (or lazy translation) that gives the text in the active language, or a plain str
# for text nobody translates (an operator's words, a gateway's error).
Text = str | Promise | Callable[[], str]


def in_every_language(text: Text) -> dict[str, str]:
    """{"en": ..., "hi": ...}: `text` rendered with each site language active, for the _en and
    _hi columns of a translated field (django-modeltranslation)."""
    rendered = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            value = text() if callable(text) and not isinstance(text, Promise) else text
            rendered[code] = str(value)
    return rendered
