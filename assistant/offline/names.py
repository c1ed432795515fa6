"""The catalog's names as the offline engine matches them: stores, categories and gift cards.

Read through catalog's selectors and kept in this process for at most NAMES_TTL seconds, and
rebuilt sooner when the catalog changed (a cheap fingerprint: how many rows and when the
last one was saved). Not Redis: the names are a derived copy a fresh process rebuilds, and
each process holds its own.
"""

import re
import time
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max

from catalog import selectors as catalog_selectors
from catalog.models import Category, Merchant, Product

NAMES_TTL = 60.0

# Words in category names that say nothing about a category ("Food & Dining", "Kids & Baby").
_CATEGORY_FILLER = {"and", "the", "of", "for", "और", "व"}


@dataclass(frozen=True)
class StoreName:
    slug: str
    name: str
    compact: str  # lowercase letters and digits only: "tata cliq" -> "tatacliq"
    key: str  # phonetic key, see phonetic_key
    skeleton: str  # consonants only, see consonant_skeleton
    category_slugs: tuple[str, ...] = ()  # its active categories, main one first


@dataclass(frozen=True)
class CategoryName:
    slug: str
    name: str
    words: frozenset[str]  # lowercase words of its English and Hindi names and its slug
    name_hi: str = ""

    def label(self, language: str) -> str:
        """Its name in `language` (Hindi when it has one, else English)."""
        return self.name_hi if language == "hi" and self.name_hi else self.name


@dataclass(frozen=True)
class GiftCardName:
    slug: str
    name: str
    store_slug: str
    words: frozenset[str]


@dataclass(frozen=True)
class CatalogNames:
    stores: tuple[StoreName, ...]
    categories: tuple[CategoryName, ...]
    gift_cards: tuple[GiftCardName, ...]

    def store(self, slug: str) -> StoreName | None:
        return next((store for store in self.stores if store.slug == slug), None)


def compact(text: str) -> str:
    """Lowercase letters and digits only: "Domino's" -> "dominos", "Booking.com" -> "bookingcom"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in folded if char.isascii() and char.isalnum())


def phonetic_key(word: str) -> str:
    """A spelling-tolerant key: "swiggy", "swigy" and "svigi" (from स्विगी) all give "svigi".

    w and v are one sound in Hindi; doubled letters, "ph"/"f", "ee"/"i", "oo"/"u", a final "y"
    and c/k/q vary with who is typing.
    """
    key = compact(word)
    for before, after in (("ph", "f"), ("ee", "i"), ("oo", "u"), ("ck", "k"), ("w", "v")):
        key = key.replace(before, after)
    key = key.replace("c", "k").replace("q", "k").replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", key)


def consonant_skeleton(word: str) -> str:
    """The phonetic key without vowels: Hindi spellings of a name differ mostly in vowels
    (ज़ोमैटो -> "zomaito" and "zomato" both give "zmt")."""
    key = phonetic_key(word)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiou]", "", key))


def catalog_names() -> CatalogNames:
    """The catalog's live names, rebuilt when older than NAMES_TTL or when the catalog changed."""
    fingerprint = _fingerprint()
    cached = _cache.get("names")
    if cached and cached[0] == fingerprint and time.monotonic() - cached[1] < NAMES_TTL:
        return cached[2]
    names = _build()
    _cache["names"] = (fingerprint, time.monotonic(), names)
    return names


def names_forget() -> None:
    """Drop the cached names (tests that change the catalog within one second may call it)."""
    _cache.clear()


_cache: dict[str, tuple] = {}


def _fingerprint() -> tuple:
    # Three one-row aggregates: far cheaper than the selectors, and a test database rolled
    # back between tests (same count, reused ids) still differs in updated_at.
    parts = []
    for model in (Merchant, Category, Product):
        row = model.objects.aggregate(n=Count("pk"), at=Max("updated_at"), top=Max("pk"))
        parts.append((row["n"], row["at"], row["top"]))
    return tuple(parts)


def _build() -> CatalogNames:
    stores = tuple(
        StoreName(
            slug=merchant.slug,
            name=merchant.name,
            compact=compact(merchant.name),
            key=phonetic_key(merchant.name),
            skeleton=consonant_skeleton(merchant.name),
            category_slugs=tuple(category.slug for category in merchant.categories.all()),
        )
        for merchant in catalog_selectors.merchants_list()
    )
    categories = []
    for top in catalog_selectors.categories_active():
        for category in (top, *top.children.all()):
            categories.append(_category_name(category))
    gift_cards = tuple(
        GiftCardName(
            slug=product.slug,
            name=product.name_en or product.name,
            store_slug=product.merchant.slug,
            words=frozenset(_words(product.name_en or "") | _words(product.name_hi or "")),
        )
        for product in catalog_selectors.gift_cards_list()
    )
    return CatalogNames(stores=stores, categories=tuple(categories), gift_cards=gift_cards)


def _category_name(category) -> CategoryName:
    words = _words(category.name_en or category.name) | _words(category.name_hi or "")
    words |= set(category.slug.split("-"))
    return CategoryName(
        slug=category.slug,
        name=category.name_en or category.name,
        words=frozenset(word for word in words if word not in _CATEGORY_FILLER),
        name_hi=category.name_hi or "",
    )


def words(text: str) -> list[str]:
    """Lowercase words of `text`, Latin or Devanagari (whose vowel signs `\\w` would split
    off), in NFC so "ज़" typed either way is one spelling. "Myntra's" is "myntra"; digits in
    Devanagari are read as 0-9."""
    text = unicodedata.normalize("NFC", text.casefold()).translate(DEVANAGARI_DIGITS)
    found = []
    for word in _WORD.findall(text):
        word = word.removesuffix("'s").replace("'", "")
        if word:
            found.append(word)
    return found


DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# Devanagari letters and signs, without the danda (।, ॥) and the digits.
_WORD = re.compile(r"[a-z0-9'\u0900-\u0963\u0970-\u097f]+")


def _words(text: str) -> set[str]:
    return {word.replace("'", "") for word in words(text) if len(word) > 1}
