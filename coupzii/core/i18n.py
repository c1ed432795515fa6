"""Text the site writes once and shows in every language: rendered per language when saved."""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

# A callable (or lazy translation) that gives the text in the active language, or a plain str
# for text nobody translates (an operator's words, a gateway's error).
Text = str | Promise | Callable[[], str]


def in_every_language(text: Text) -> dict[str, str]:
    """{"en": ..., "hi": ...}: `text` rendered with each site language active, for the _en and
    _hi columns of a translated field (django-modeltranslation)."""
    return in_every_language_many([text])[0]


def in_every_language_many(texts: Sequence[Text]) -> list[dict[str, str]]:
    """`in_every_language` of each of `texts`, in order, switching language once per language
    rather than once per text (a cashback sync renders thousands of notices)."""
    rendered: list[dict[str, str]] = [{} for _ in texts]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for text, values in zip(texts, rendered, strict=True):
                value = text() if callable(text) and not isinstance(text, Promise) else text
                values[code] = str(value)
    return rendered
