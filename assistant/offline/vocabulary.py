"""The words the voice recogniser listens for: the catalog's store, category and gift-card
names, so "Myntra", "Swiggy" or "Zomato" are heard as names and not as nearby English."""

import re

from .names import catalog_names

# Short words every language model of English already knows well; leaving them out keeps the
# recogniser's extra vocabulary to the names themselves.
_COMMON = {"and", "the", "of", "for", "gift", "card", "cards", "store", "stores"}


def vocabulary_words() -> list[str]:
    """Sorted lowercase Latin words (a-z, digits) of every live store's name and slug, every
    active category's name and every gift card's name: the words a shopper may say that a
    general English dictionary may lack."""
    names = catalog_names()
    found: set[str] = set()
    for store in names.stores:
        found.update(_latin_words(store.name))
        found.update(_latin_words(store.slug.replace("-", " ")))
    for category in names.categories:
        found.update(_latin_words(category.name))
    for gift_card in names.gift_cards:
        found.update(_latin_words(gift_card.name))
    return sorted(found - _COMMON)


def _latin_words(text: str) -> set[str]:
    # "Domino's" -> "dominos", "Booking.com" -> "booking", "com"; letters and digits only,
    # since a recogniser's dictionary holds plain words.
    text = text.casefold().replace("'", "")
    return {word for word in re.findall(r"[a-z0-9]+", text) if len(word) > 1}
