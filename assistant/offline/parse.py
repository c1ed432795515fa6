"""What a shopper asks, read without a language model: the intent and the store, category,
gift card, amount and days in it.

English, Hinglish ("Zomato ke coupons", "Myntra par 2500 ka cart") and simple Hindi in
Devanagari ("ज़ोमैटो कूपन"): Devanagari keywords are mapped to the Latin words the rules
use, and other Devanagari words (store names, mostly) are transliterated and matched by
sound. Store names are matched against the catalog's, forgiving case, spaces and typos
("myntr", "flipcart", "swigy").
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from coupzii.core.money import InvalidAmount, column_amount

from .names import (
    DEVANAGARI_DIGITS,
    CatalogNames,
    CategoryName,
    GiftCardName,
    StoreName,
    catalog_names,
    compact,
    consonant_skeleton,
    phonetic_key,
    words,
)


class Intent(StrEnum):
    OFFERS = "offers"  # find coupons, codes and deals
    CLAIM = "claim"  # claim a code of my own from a unique-code offer
    CART = "cart"  # the best way to pay for a cart
    CASHBACK = "cashback"  # where is my cashback
    EXPIRING = "expiring"  # which of my coupons expire soon
    LOCKER = "locker"  # my coupons
    SELL = "sell"  # sell a coupon of mine
    SWAP = "swap"  # swap a coupon of mine
    LISTINGS = "listings"  # coupons other shoppers sell
    GIFT_CARDS = "gift_cards"
    WALLET = "wallet"
    ORDERS = "orders"
    HELP = "help"  # hello, what can you do
    UNKNOWN = "unknown"


@dataclass
class Question:
    """One message, read."""

    intent: Intent
    stores: list[StoreName] = field(default_factory=list)
    category: CategoryName | None = None
    gift_card: GiftCardName | None = None
    amount: Decimal | None = None
    days: int | None = None
    # The message's content words (no keywords, store names or numbers): what an unknown
    # question searches offers with.
    rest: list[str] = field(default_factory=list)

    @property
    def store(self) -> StoreName | None:
        return self.stores[0] if self.stores else None


# --- Keywords ----------------------------------------------------------------------------------
# Devanagari words mapped to the Latin keyword the rules below know.
DEVANAGARI_WORDS = {
    "कूपन": "coupon",
    "कूपन्स": "coupons",
    "कूपंस": "coupons",
    "ऑफ़र": "offer",
    "ऑफर": "offer",
    "ऑफ़र्स": "offers",
    "ऑफर्स": "offers",
    "डील": "deal",
    "डील्स": "deals",
    "छूट": "discount",
    "कोड": "code",
    "कैशबैक": "cashback",
    "कार्ट": "cart",
    "गिफ़्ट": "gift",
    "गिफ्ट": "gift",
    "कार्ड": "card",
    "कार्ड्स": "cards",
    "वॉलेट": "wallet",
    "वालेट": "wallet",
    "बैलेंस": "balance",
    "ऑर्डर": "order",
    "ऑर्डर्स": "orders",
    "आर्डर": "order",
    "एक्सपायर": "expire",
    "ख़त्म": "khatam",
    "खत्म": "khatam",
    "हफ़्ते": "hafte",
    "हफ्ते": "hafte",
    "हफ़्ता": "hafta",
    "हफ्ता": "hafta",
    "आज": "aaj",
    "कल": "kal",
    "दिन": "din",
    "दिनों": "din",
    "महीने": "mahine",
    "मेरा": "mera",
    "मेरे": "mere",
    "मेरी": "meri",
    "कहाँ": "kahan",
    "कहां": "kahan",
    "कब": "kab",
    "है": "hai",
    "हैं": "hain",
    "के": "ke",
    "का": "ka",
    "की": "ki",
    "को": "ko",
    "पर": "par",
    "में": "mein",
    "से": "se",
    "इस": "is",
    "कौन": "kaun",
    "कौनसे": "kaunse",
    "कौनसा": "kaunsa",
    "कौनसी": "kaunsi",
    "नमस्ते": "namaste",
    "नमस्कार": "namaskar",
    "मदद": "madad",
    "सबसे": "sabse",
    "सस्ता": "sasta",
    "रुपये": "rupees",
    "रुपए": "rupees",
    "रु": "rs",
    "दिखाओ": "dikhao",
    "बताओ": "batao",
    "चाहिए": "chahiye",
    "लॉकर": "locker",
}
# Devanagari stems: any word starting with one of these is that keyword (बेचना, बेचनी, बेचूँ).
DEVANAGARI_STEMS = {
    "बेच": "bechna",
    "बदल": "badalna",
    "ख़रीद": "kharidna",
    "खरीद": "kharidna",
    "एक्सपाय": "expire",
    "कूपन": "coupons",
}

# Each intent's words. A message's intent is the first of RULES whose test it passes.
OFFER_WORDS = {
    "coupon", "coupons", "code", "codes", "offer", "offers", "deal", "deals", "discount",
    "discounts", "promo", "promocode", "sale", "voucher", "vouchers", "chhoot", "chhut",
}  # fmt: skip
CART_WORDS = {"cart", "basket", "checkout", "bill", "kharidna", "kharidu", "khareedna", "sasta"}
PAY_WORDS = {"pay", "paying", "buy", "buying", "spend", "purchase", "shop", "order"}
BEST_WORDS = {"best", "cheapest", "cheap", "save", "saving", "savings", "sabse", "bachat"}
CASHBACK_WORDS = {"cashback", "cash-back", "cashbacks"}
STATUS_WORDS = {
    "where", "status", "pending", "confirmed", "track", "when", "kab", "kahan", "kaha", "mila",
    "mili", "nahi", "my", "mera", "meri", "mere", "received", "credited", "aaya", "aayi", "got",
    "earned", "kitna",
}  # fmt: skip
EXPIRE_WORDS = {"expire", "expires", "expiring", "expiry", "expired", "khatam", "samapt"}
CLAIM_WORDS = {"claim", "claiming", "redeem"}
SELL_WORDS = {"sell", "selling", "bech", "bechna", "bechni", "bechu", "bechun", "resell"}
SWAP_WORDS = {"swap", "swapping", "exchange", "trade", "badal", "badalna", "badlo", "adla"}
GIFT_WORDS = {"gift", "giftcard", "giftcards"}
WALLET_WORDS = {"wallet", "balance", "withdraw", "withdrawal", "paisa", "paise", "paison"}
ORDER_WORDS = {"order", "orders", "purchases", "bought"}
MY_WORDS = {"my", "mera", "meri", "mere", "mine", "apne", "apna"}
LOCKER_WORDS = {"locker", "saved"}
LISTING_WORDS = {"marketplace", "listing", "listings", "resale", "secondhand", "used"}
HELP_WORDS = {
    "hi", "hello", "hey", "namaste", "namaskar", "help", "madad", "hii", "helo", "start",
    "thanks", "thank", "shukriya", "dhanyavad",
}  # fmt: skip
WEEK_WORDS = {"week", "hafte", "hafta", "weekly"}
MONTH_WORDS = {"month", "mahine", "mahina"}
TODAY_WORDS = {"today", "aaj", "tonight"}
TOMORROW_WORDS = {"tomorrow", "kal"}
DAY_WORDS = {"day", "days", "din"}

# Words that say how to ask, never what about: left out of store matching and offer searches.
FILLER_WORDS = {
    "a", "an", "the", "of", "for", "on", "at", "in", "to", "from", "with", "and", "or", "is",
    "are", "was", "be", "do", "does", "did", "can", "could", "will", "would", "should", "me",
    "show", "find", "get", "give", "tell", "any", "some", "all", "which", "what", "how", "way",
    "ways", "there", "this", "that", "these", "those", "it", "its", "please", "pls", "plz", "you",
    "your", "want", "need", "like", "ke", "ka", "ki", "ko", "par", "pe", "mein", "se",
    "hai", "hain", "ho", "kya", "koi", "kaun", "kaunse", "kaunsa", "kaunsi", "konse", "kon",
    "dikhao", "batao", "chahiye", "mujhe", "mere", "liye", "ab", "abhi", "ya", "aur", "bhi",
    "rs", "inr", "rupees", "rupee", "k", "now", "today", "still", "yet", "up", "out", "off",
    "about", "by", "than", "under", "below", "above", "over", "new", "latest", "best", "good",
    "top", "am", "not", "no", "if", "so", "just", "only", "more", "most", "much", "many", "us",
    "we", "our", "value", "worth", "rupaye", "wala", "wale", "wali", "kuch", "hoga", "honge",
    "hogi", "i", "raha", "rahe", "rahi", "gaya", "gayi", "karo", "karna", "kar", "sakte", "sakti",
}  # fmt: skip
KEYWORDS = (
    OFFER_WORDS | CLAIM_WORDS | CART_WORDS | PAY_WORDS | BEST_WORDS | CASHBACK_WORDS | STATUS_WORDS
    | EXPIRE_WORDS | SELL_WORDS | SWAP_WORDS | GIFT_WORDS | WALLET_WORDS | ORDER_WORDS
    | MY_WORDS | LOCKER_WORDS | LISTING_WORDS | HELP_WORDS | WEEK_WORDS | MONTH_WORDS
    | TODAY_WORDS | TOMORROW_WORDS | DAY_WORDS | {"card", "cards", "store", "stores", "shop"}
)  # fmt: skip

# A store name matched by spelling alone must be at least this close (difflib's ratio).
FUZZY_RATIO = 0.8


def question_read(
    message: str, *, history: list[dict] | None = None, names: CatalogNames | None = None
) -> Question:
    """Read `message`. A message that names only a store ("and Zomato?") or only a time
    ("this month?") continues the shopper's previous question in `history`."""
    names = names or catalog_names()
    question = _read(message, names)
    if question.intent in (Intent.UNKNOWN, Intent.OFFERS) and _is_follow_up(message, question):
        previous = _previous_question(history or [], names)
        if previous and previous.intent not in (Intent.HELP, Intent.UNKNOWN):
            question.intent = previous.intent
            question.stores = question.stores or previous.stores
            question.days = question.days if question.days is not None else previous.days
            question.amount = question.amount or previous.amount
    return question


def _read(message: str, names: CatalogNames) -> Question:
    tokens = [keyword_by_spelling(token, names) for token in latin_words(message)]
    stores, store_spans = stores_in(tokens, names)
    amount = amount_in(message)
    days = days_in(tokens)
    vocabulary = set(tokens)
    rest = [
        token
        for position, token in enumerate(tokens)
        if position not in store_spans
        and len(token) > 1
        and token not in KEYWORDS
        and token not in FILLER_WORDS
        and not token.replace(",", "").replace(".", "").isdigit()
        and not re.fullmatch(r"[\d.,]+k?", token)
    ]
    question = Question(
        intent=_intent(vocabulary, tokens, has_store=bool(stores), amount=amount),
        stores=stores,
        # Hindi category names are matched as written, not transliterated.
        category=category_in(tokens + words(message), names),
        gift_card=gift_card_in(tokens, names, stores),
        amount=amount,
        days=days,
        rest=rest,
    )
    if question.intent == Intent.UNKNOWN and (stores or question.category):
        # A store or category and nothing else understood ("Myntra", "fashion"): what is on
        # offer there.
        question.intent = Intent.OFFERS
    return question


def _intent(vocabulary: set[str], tokens: list[str], *, has_store: bool, amount) -> Intent:
    said = vocabulary.__and__
    phrase = " ".join(tokens)
    if said(SELL_WORDS):
        return Intent.SELL
    if said(SWAP_WORDS):
        return Intent.SWAP
    if said(EXPIRE_WORDS):
        return Intent.EXPIRING
    if said(CASHBACK_WORDS) and said(STATUS_WORDS) and not said(CART_WORDS):
        if said(WALLET_WORDS) and not has_store:
            return Intent.WALLET
        return Intent.CASHBACK
    if said(CART_WORDS) or (amount is not None and (said(PAY_WORDS) or said(BEST_WORDS))):
        return Intent.CART
    if "way to pay" in phrase or "way to buy" in phrase or "pay for" in phrase:
        return Intent.CART
    if said(GIFT_WORDS) and said({"card", "cards", "voucher", "vouchers"} | GIFT_WORDS):
        return Intent.GIFT_CARDS
    if said(WALLET_WORDS):
        return Intent.WALLET
    if (said(ORDER_WORDS) and said(MY_WORDS)) or said({"orders", "purchases"}):
        return Intent.ORDERS
    if said(LISTING_WORDS) or (
        said({"buy", "kharidna"}) and said(OFFER_WORDS) and not said(MY_WORDS)
    ):
        return Intent.LISTINGS
    coupon_words = {"coupon", "coupons", "codes"}
    if said(LOCKER_WORDS) or (
        said(coupon_words) and (said(MY_WORDS) or (said({"i"}) and said({"have"})))
    ):
        return Intent.LOCKER
    if said(CLAIM_WORDS):
        return Intent.CLAIM
    if said(OFFER_WORDS):
        return Intent.OFFERS
    if said(CASHBACK_WORDS):
        # "cashback on Myntra": the store's offers say what it pays.
        return Intent.OFFERS if has_store else Intent.CASHBACK
    if amount is not None and has_store:
        return Intent.CART
    if said(HELP_WORDS) or (said({"what", "kya"}) and said({"can", "sakte", "sakti"})):
        return Intent.HELP
    return Intent.UNKNOWN


def _is_follow_up(message: str, question: Question) -> bool:
    # "and Zomato?", "what about Swiggy", "aur Myntra?", "this month?": a store or a time and
    # nothing else of substance.
    if question.rest:
        return False
    tokens = set(latin_words(message))
    if question.intent == Intent.OFFERS and tokens & OFFER_WORDS:
        return False
    return bool(question.stores or question.days is not None)


def _previous_question(history: list[dict], names: CatalogNames) -> Question | None:
    for turn in reversed(history):
        if turn.get("role") == "user" and turn.get("content"):
            return _read(str(turn["content"]), names)
    return None


# --- Words -------------------------------------------------------------------------------------


def latin_words(message: str) -> list[str]:
    """The message's words in Latin letters: Devanagari keywords become the rules' words,
    other Devanagari words are transliterated."""
    result = []
    for word in words(message):
        if _is_devanagari(word):
            result.append(_devanagari_keyword(word) or transliterate(word))
        else:
            result.append(word)
    return result


def _is_devanagari(word: str) -> bool:
    return any("\u0900" <= char <= "\u097f" for char in word)


def _devanagari_keyword(word: str) -> str:
    if word in DEVANAGARI_WORDS:
        return DEVANAGARI_WORDS[word]
    for stem, keyword in DEVANAGARI_STEMS.items():
        if word.startswith(stem):
            return keyword
    return ""


_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j",
    "झ": "jh", "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t",
    "थ": "th", "द": "d", "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh",
    "म": "m", "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s",
    "ह": "h",
}  # fmt: skip
# A consonant with the nukta below it (ज़ is ज + ़ in NFC) sounds like this.
_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai",
    "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_SIGNS = {
    "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
    "ौ": "au", "ॉ": "o", "ॅ": "e", "\u0902": "n", "\u0901": "n", "\u0903": "h",
}  # fmt: skip
_NUKTA_SIGN = "\u093c"
_NASAL_SIGNS = {"\u0902", "\u0901"}  # anusvara, chandrabindu


def transliterate(word: str) -> str:
    """Devanagari to Latin letters, as a Hindi speaker would type the word: ज़ोमैटो ->
    "zomaito", मिंत्रा -> "mintra". A consonant's own "a" is written before another consonant
    and dropped at the end of the word (schwa deletion, simplified)."""
    out = []
    index = 0
    while index < len(word):
        char = word[index]
        index += 1
        if char in _CONSONANTS:
            if word[index : index + 1] == _NUKTA_SIGN:
                out.append(_NUKTA.get(char, _CONSONANTS[char]))
                index += 1
            else:
                out.append(_CONSONANTS[char])
            following = word[index : index + 1]
            if following in _CONSONANTS or following in _NASAL_SIGNS:
                out.append("a")
        elif char in _VOWELS:
            out.append(_VOWELS[char])
        elif char in _SIGNS:
            out.append(_SIGNS[char])
        elif char.isascii():
            out.append(char)
    return "".join(out)


# Keywords worth correcting when misspelt ("coupn", "cashbak", "expirng"): long enough that
# a close spelling is not another word.
SPELLED_KEYWORDS = (
    "coupon", "coupons", "offers", "cashback", "expire", "expiring", "wallet", "balance",
    "orders", "discount", "voucher", "giftcard",
)  # fmt: skip


def keyword_by_spelling(token: str, names: CatalogNames) -> str:
    """`token`, or the keyword it misspells; a store's own name is never corrected."""
    if len(token) < 5 or token in KEYWORDS or token in FILLER_WORDS or not token.isalpha():
        return token
    if any(store.compact == token for store in names.stores):
        return token
    close = difflib.get_close_matches(token, SPELLED_KEYWORDS, n=1, cutoff=0.8)
    return close[0] if close else token


# --- Entities ----------------------------------------------------------------------------------


def stores_in(tokens: list[str], names: CatalogNames) -> tuple[list[StoreName], set[int]]:
    """The stores the words name, in the order named, and the positions of their words.

    Longest exact run of words first ("tata cliq", "shoppers stop"), then single words by
    spelling and by sound; keywords ("coupon", "cart") never match a store by spelling.
    """
    named: list[tuple[int, StoreName]] = []
    used: set[int] = set()
    by_compact: dict[str, StoreName] = {}
    for store in names.stores:
        by_compact.setdefault(store.compact, store)
        by_compact.setdefault(compact(store.slug), store)
    for length in (4, 3, 2, 1):
        for start in range(len(tokens) - length + 1):
            span = set(range(start, start + length))
            if span & used:
                continue
            store = by_compact.get(compact("".join(tokens[start : start + length])))
            if store and (length > 1 or _may_be_name(tokens[start], exact=True)):
                used |= span
                named.append((start, store))
    for position, token in enumerate(tokens):
        if position in used or not _may_be_name(token, exact=False):
            continue
        store = store_by_spelling(token, names)
        if store:
            used.add(position)
            named.append((position, store))
    ordered: list[StoreName] = []
    for _, store in sorted(named, key=lambda pair: pair[0]):
        if store not in ordered:
            ordered.append(store)
    return ordered, used


def _may_be_name(token: str, *, exact: bool) -> bool:
    if token in FILLER_WORDS and not exact:
        return False
    if token in KEYWORDS:
        return False
    if exact:
        return bool(compact(token))
    return len(compact(token)) >= 3 and not compact(token).isdigit()


def store_by_spelling(word: str, names: CatalogNames) -> StoreName | None:
    """The store `word` most likely misspells, or None: a prefix of 4+ letters ("myntr"),
    the same sound ("swigy", "svigi"), the same consonants for a transliterated word of 3+
    of them ("zomaito"), or a close spelling ("flipcart")."""
    typed = compact(word)
    if len(typed) < 3:
        return None
    key, skeleton = phonetic_key(typed), consonant_skeleton(typed)
    best, best_score = None, 0.0
    for store in names.stores:
        score = _closeness(typed, key, skeleton, store)
        if score > best_score:
            best, best_score = store, score
    return best if best_score >= FUZZY_RATIO else None


def _closeness(typed: str, key: str, skeleton: str, store: StoreName) -> float:
    if typed == store.compact:
        return 2.0
    if key == store.key:
        return 1.5
    # A word cut short: at least 4 letters and two thirds of the name.
    if (
        len(typed) >= 4
        and store.compact.startswith(typed)
        and 3 * len(typed) >= 2 * len(store.compact)
    ):
        return 1.2
    if len(skeleton) >= 3 and skeleton == store.skeleton:
        return 1.1
    # A close spelling starts with the same letter and is about as long ("flipcart"), so
    # "fashion" is not "Max Fashion" nor "order" "Oyo".
    if key[:1] != store.key[:1] or abs(len(key) - len(store.key)) > max(1, len(store.key) // 4):
        return 0.0
    return difflib.SequenceMatcher(None, key, store.key).ratio()


# What shoppers call the things in a cart, by the demo catalog's category slugs: "1800 on
# AJIO for shoes" is a Footwear cart, so a Footwear-only coupon applies. A word whose category
# is not in the catalog is ignored.
ITEM_WORDS = {
    "footwear": "shoes shoe sneakers sneaker sandals slippers heels boots chappal joote jute जूते",
    "fashion": "clothes dress dresses shirt shirts tshirt tshirts jeans kurta kurti saree top "
    "tops jacket kapde कपड़े",
    "electronics": "phone phones mobile mobiles laptop laptops tv headphones earbuds charger",
    "beauty": "lipstick makeup skincare perfume shampoo",
    "jewellery-watches": "watch watches ring rings necklace earrings",
    "groceries": "grocery vegetables fruits atta rice",
    "food-dining": "pizza burger biryani dinner lunch khana खाना",
}
_ITEM_CATEGORY = {word: slug for slug, line in ITEM_WORDS.items() for word in line.split()}


def category_in(tokens: list[str], names: CatalogNames) -> CategoryName | None:
    """The first category one of the words names (English or Hindi name, or slug), else the
    category of a thing the words name ("shoes": Footwear)."""
    for token in tokens:
        if token in FILLER_WORDS or token in KEYWORDS or len(token) < 3:
            continue
        for category in names.categories:
            if token in category.words or token.rstrip("s") in category.words:
                return category
    by_slug = {category.slug: category for category in names.categories}
    for token in tokens:
        category = by_slug.get(_ITEM_CATEGORY.get(token, ""))
        if category is not None:
            return category
    return None


def gift_card_in(
    tokens: list[str], names: CatalogNames, stores: list[StoreName]
) -> GiftCardName | None:
    """The gift card the words name: one of a named store's cards, else one whose
    distinctive words ("pay" in "Amazon Pay Gift Card") are all in the message."""
    store_slugs = [store.slug for store in stores]
    for slug in store_slugs:
        for card in names.gift_cards:
            if card.store_slug == slug:
                return card
    said = set(tokens)
    for card in names.gift_cards:
        distinctive = card.words - {"gift", "card", "cards", "गिफ़्ट", "कार्ड"}
        if distinctive and distinctive <= said:
            return card
    return None


_AMOUNT = re.compile(
    r"(?P<rupee>\u20b9|\brs\.?|\binr)?\s*"
    r"(?P<number>\d+(?:,\d{2,3})*(?:\.\d+)?)\s*"
    r"(?P<scale>k\b|thousand\b|hazaa?r\b|lakh\b|lac\b)?"
    r"(?P<after>\s*(?:days?|din|%|percent|hours?|items?|x\b))?",
    re.IGNORECASE,
)


def amount_in(message: str) -> Decimal | None:
    """The rupee amount in the message: "₹2,500", "Rs 2500", "2500", "2.5k", "2,500 ka cart".
    Numbers of days, percentages and counts are not amounts."""
    text = message.translate(DEVANAGARI_DIGITS).replace("रुपये", " rupees").replace("रु", " rs ")
    for match in _AMOUNT.finditer(text):
        if match["after"]:
            continue
        if not match["rupee"] and not match["scale"] and not _stands_alone(text, match):
            continue
        number = Decimal(match["number"].replace(",", ""))
        scale = (match["scale"] or "").lower()
        if scale in ("k", "thousand", "hazar", "hazaar"):
            number *= 1000
        elif scale in ("lakh", "lac"):
            number *= 100000
        try:
            amount = column_amount(number)
        except InvalidAmount:
            continue
        if amount > 0:
            return amount
    return None


def _stands_alone(text: str, match: re.Match) -> bool:
    # A bare number is an amount unless it is glued to letters ("1mg", "5g"): "2500 ka cart".
    start, end = match.start("number"), match.end("number")
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not before.isalpha() and not after.isalpha()


def days_in(tokens: list[str]) -> int | None:
    """How many days ahead the shopper asks about: today 0, tomorrow 1, this week 7, this
    month 30, "3 days" / "3 din" 3; None when the message says no time."""
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token.isdigit() and following in DAY_WORDS:
            return min(int(token), 366)
        if token in TODAY_WORDS:
            return 0
        if token in TOMORROW_WORDS:
            return 1
        if token in WEEK_WORDS:
            return 7
        if token in MONTH_WORDS:
            return 30
    return None
