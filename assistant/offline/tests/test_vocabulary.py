"""The voice recogniser's extra words: the catalog's store, category and gift-card names."""

import pytest

from assistant.offline.vocabulary import vocabulary_words
from catalog.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def test_vocabulary_holds_store_category_and_gift_card_words_sorted_and_lowercase(scene):
    words = vocabulary_words()

    assert words == sorted(words)
    assert all(word == word.lower() and word.isalnum() for word in words)
    for word in ["myntra", "zomato", "swiggy", "flipkart", "zara", "nykaa", "fashion", "dining"]:
        assert word in words
    assert "and" not in words  # "Food & Dining": a filler, not a name


def test_vocabulary_follows_the_catalog(scene):
    before = vocabulary_words()

    MerchantFactory(name="Domino's", slug="dominos")
    inactive = MerchantFactory(name="Jabong", slug="jabong", is_active=False)

    words = vocabulary_words()
    assert "dominos" in words and "dominos" not in before
    assert inactive.slug not in words  # a closed store is not listened for
