"""The offline engine: intent and entity parsing over the catalog, calling the same tools.

`OfflineEngine().reply(ctx=, history=, message=)` reads the message (parse.py), calls the
tools a language model would be given (through assistant.tools.tool_call, so the same scoping,
argument checks and model-safe data apply), and writes the answer from their results
(answers.py), streamed a few words at a time. Acting tools only return a card; nothing acts
without the shopper's click.
"""

from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _

from assistant.models import Engine
from assistant.tools import ToolContext, tool_call
from coupzii.core.money import format_inr

from . import answers
from .names import CatalogNames, catalog_names
from .parse import Intent, Question, question_read

#: Words per streamed piece: enough to read, small enough that the answer visibly arrives.
WORDS_PER_PIECE = 4
#: Locker coupons offered for sale or swap in one answer.
ACT_MAX = 3


class OfflineEngine:
    name = Engine.OFFLINE.value

    def reply(self, *, ctx: ToolContext, history: list[dict], message: str) -> Iterator[dict]:
        with translation.override(ctx.language):
            names = catalog_names()
            question = question_read(message, history=history, names=names)
            turn = _Turn(ctx, names)
            yield from _HANDLERS[question.intent](turn, question)


class _Turn:
    """One answer in the making: the shopper's context and the catalog's names."""

    def __init__(self, ctx: ToolContext, names: CatalogNames):
        self.ctx = ctx
        self.names = names

    def call(self, name: str, arguments: dict) -> Iterator[dict]:
        """Run a tool and yield its event; the generator's value is the result's data (a
        result with an error counts as empty)."""
        result = tool_call(self.ctx, name, arguments)
        yield {"type": "tool", "name": name, "arguments": arguments, "result": result}
        return {} if "error" in result.data else result.data

    def store_names(self) -> dict[str, str]:
        return {store.slug: store.name for store in self.names.stores}


def _say(sentences: list[str]) -> Iterator[dict]:
    """The sentences as text events of a few words each; joined they read as written."""
    text = " ".join(sentence.strip() for sentence in sentences if sentence.strip())
    words = text.split(" ")
    for start in range(0, len(words), WORDS_PER_PIECE):
        piece = " ".join(words[start : start + WORDS_PER_PIECE])
        if start + WORDS_PER_PIECE < len(words):
            piece += " "
        yield {"type": "text", "delta": piece}


# --- Handlers, one per intent --------------------------------------------------------------------


def _offers(turn: _Turn, question: Question) -> Iterator[dict]:
    store = question.store
    if store:
        offers = yield from turn.call("search_offers", {"store": store.slug, "limit": 5})
        if offers.get("count"):
            locker = yield from turn.call("my_locker", {"store": store.slug})
            sentences = answers.offers_answer(offers, store=store.name)
            yield from _say(sentences + answers.store_locker_note(locker, store=store.name))
            return
        yield from _no_offers(turn, store)
        return
    if question.category:
        offers = yield from turn.call(
            "search_offers", {"category": question.category.slug, "limit": 5}
        )
        if offers.get("count"):
            category = question.category.label(turn.ctx.language)
            yield from _say(answers.offers_answer(offers, category=category))
            return
    words = " ".join(question.rest)[:100]
    offers = yield from turn.call("search_offers", {"query": words, "limit": 5})
    if offers.get("count"):
        yield from _say(answers.offers_answer(offers))
    else:
        yield from _say(answers.no_store_answer())


def _no_offers(turn: _Turn, store) -> Iterator[dict]:
    """No live offer at the store: its cashback, gift cards, marketplace listings and the
    shopper's own coupons for it are the other ways to save."""
    stores = yield from turn.call("find_stores", {"query": store.name, "limit": 1})
    stores = {"stores": [row for row in stores.get("stores", []) if row.get("ref") == store.slug]}
    gift_cards = yield from turn.call("gift_cards", {"store": store.slug, "limit": 3})
    listings = yield from turn.call("marketplace_listings", {"store": store.slug, "limit": 3})
    locker = yield from turn.call("my_locker", {"store": store.slug})
    elsewhere = {}
    if store.category_slugs:
        elsewhere = yield from turn.call(
            "search_offers", {"category": store.category_slugs[0], "limit": 3}
        )
    yield from _say(
        answers.no_offers_answer(
            store=store.name,
            stores=stores,
            gift_cards=gift_cards,
            listings=listings,
            locker=locker,
            elsewhere=elsewhere,
        )
    )


def _claim(turn: _Turn, question: Question) -> Iterator[dict]:
    """A code of the shopper's own: a claim card for each unique-code offer that still has
    codes (the store's, when one is named); the claim happens when they press it."""
    arguments = {"limit": 10}
    if question.store:
        arguments["store"] = question.store.slug
    offers = yield from turn.call("search_offers", arguments)
    claimable = [row for row in offers.get("offers", []) if row.get("claimable")]
    claimed = []
    for offer in claimable[:ACT_MAX]:
        result = yield from turn.call("claim_code", {"offer": offer["ref"]})
        if result:
            claimed.append(result)
    store = question.store.name if question.store else ""
    yield from _say(answers.claim_answer(claimed, offers, store=store))


def _cart(turn: _Turn, question: Question) -> Iterator[dict]:
    cart = turn.ctx.cart or {}
    store = question.store or turn.names.store(str(cart.get("store") or ""))
    if store is None:
        yield from _say(answers.cart_needs_store())
        return
    same_store = str(cart.get("store") or "") == store.slug
    if question.amount is not None:
        # One line of the whole amount, in the category the shopper named if any ("for
        # shoes"); the price as text, so it stays an exact Decimal.
        category = question.category.slug if question.category else ""
        items = [
            {
                "name": _("Your cart"),
                "category": category,
                "price": str(question.amount),
                "quantity": 1,
            }
        ]
        arguments = {"store": store.slug, "items": items}
    elif same_store and cart.get("items"):
        # The cart on screen: analyze_cart reads its items from the context.
        arguments = {"store": store.slug}
    else:
        yield from _say(answers.cart_needs_amount(store=store.name))
        return
    analysis = yield from turn.call("analyze_cart", arguments)
    if not analysis.get("subtotal"):
        yield from _say(answers.cart_failed())
        return
    yield from _say(answers.cart_answer(analysis, store=store.name))


def _cashback(turn: _Turn, question: Question) -> Iterator[dict]:
    store = question.store
    arguments = {"store": store.slug} if store else {}
    cashback = yield from turn.call("my_cashback", arguments)
    yield from _say(answers.cashback_answer(cashback, store=store.name if store else ""))


def _expiring(turn: _Turn, question: Question) -> Iterator[dict]:
    days = question.days if question.days is not None else 7
    arguments = {"expiring_within_days": days}
    if question.store:
        arguments["store"] = question.store.slug
    coupons = yield from turn.call("my_locker", arguments)
    later = {}
    if not coupons.get("count"):
        # None that soon: the next one to expire, so the answer still says something useful.
        later_arguments = {"limit": 1}
        if question.store:
            later_arguments["store"] = question.store.slug
        later = yield from turn.call("my_locker", later_arguments)
    yield from _say(
        answers.expiring_answer(coupons, days=days, later=later, store_names=turn.store_names())
    )


def _locker(turn: _Turn, question: Question) -> Iterator[dict]:
    arguments = {"store": question.store.slug} if question.store else {}
    coupons = yield from turn.call("my_locker", arguments)
    yield from _say(
        answers.locker_answer(
            coupons,
            store=question.store.name if question.store else "",
            store_names=turn.store_names(),
        )
    )


def _my_coupons(turn: _Turn, question: Question) -> Iterator[dict]:
    """The shopper's active coupons for the store named (all when none): the ones a sale or a
    swap could start from."""
    arguments = {"status": "active", "limit": ACT_MAX}
    if question.store:
        arguments["store"] = question.store.slug
    coupons = yield from turn.call("my_locker", arguments)
    return coupons.get("coupons", [])


def _sell(turn: _Turn, question: Question) -> Iterator[dict]:
    coupons = yield from _my_coupons(turn, question)
    ready, refused = [], []
    price = ""
    for coupon in coupons:
        arguments = {"coupon": coupon["ref"]}
        if question.amount is not None and question.amount == int(question.amount):
            # The schema takes a JSON number; whole rupees go as an int, never a float.
            arguments["price"] = int(question.amount)
        result = yield from turn.call("list_coupon", arguments)
        (ready if result else refused).append(coupon)
        # The price the shopper said, as the tool formatted it (the sell page opens with it).
        price = price or (result or {}).get("suggested_price") or ""
    yield from _say(
        answers.sell_answer(
            ready,
            refused=refused,
            store=question.store.name if question.store else "",
            store_names=turn.store_names(),
            price=price,
        )
    )


def _swap(turn: _Turn, question: Question) -> Iterator[dict]:
    """ "swap my Nykaa coupon (for a Zomato one)": the shopper's coupons of the first store
    named, and listings open to swaps (of the second store named, if any) to offer them for."""
    mine = question.stores[0] if question.stores else None
    wanted = question.stores[1] if len(question.stores) > 1 else None
    arguments = {"status": "active", "limit": ACT_MAX}
    if mine:
        arguments["store"] = mine.slug
    coupons = yield from turn.call("my_locker", arguments)
    listing_arguments = {"limit": 10}
    if wanted:
        listing_arguments["store"] = wanted.slug
    listings = yield from turn.call("marketplace_listings", listing_arguments)
    open_to_swaps = [
        row
        for row in listings.get("listings", [])
        if row.get("swap_welcome") and not row.get("yours")
    ]
    offered = []
    if coupons.get("count"):
        for listing in open_to_swaps[:ACT_MAX]:
            result = yield from turn.call("start_swap", {"coupon": listing["ref"]})
            if result:
                offered.append(listing)
    yield from _say(
        answers.swap_answer(
            coupons.get("coupons", []),
            offered,
            store=mine.name if mine else "",
            store_names=turn.store_names(),
        )
    )


def _listings(turn: _Turn, question: Question) -> Iterator[dict]:
    arguments = {"limit": 5}
    if question.store:
        arguments["store"] = question.store.slug
    elif question.rest:
        arguments["query"] = " ".join(question.rest)[:100]
    listings = yield from turn.call("marketplace_listings", arguments)
    yield from _say(
        answers.listings_answer(listings, store=question.store.name if question.store else "")
    )


def _gift_cards(turn: _Turn, question: Question) -> Iterator[dict]:
    store = question.store
    if store is None and question.gift_card is not None:
        store = turn.names.store(question.gift_card.store_slug)
    arguments = {"limit": 5}
    if store:
        arguments["store"] = store.slug
    elif question.rest:
        arguments["query"] = " ".join(question.rest)[:100]
    gift_cards = yield from turn.call("gift_cards", arguments)
    added = False
    sku = _sku_for(gift_cards, question.amount)
    if sku:
        # "a 1000 Myntra gift card": the denomination's own Add to cart card.
        yield from turn.call("add_gift_card", {"sku": sku, "quantity": 1})
        added = True
    yield from _say(
        answers.gift_cards_answer(gift_cards, store=store.name if store else "", added=added)
    )


def _sku_for(gift_cards: dict, amount) -> str:
    if amount is None:
        return ""
    wanted = format_inr(amount)
    for card in gift_cards.get("gift_cards", [])[:1]:
        for option in card.get("amounts", []):
            if option.get("face_value") == wanted and option.get("in_stock"):
                return option["sku"]
    return ""


def _wallet(turn: _Turn, question: Question) -> Iterator[dict]:
    wallet = yield from turn.call("my_wallet", {})
    yield from _say(answers.wallet_answer(wallet))


def _orders(turn: _Turn, question: Question) -> Iterator[dict]:
    orders = yield from turn.call("my_orders", {"limit": 5})
    yield from _say(answers.orders_answer(orders))


def _help(turn: _Turn, question: Question) -> Iterator[dict]:
    yield from _say(answers.help_answer())


def _unknown(turn: _Turn, question: Question) -> Iterator[dict]:
    """Not understood: the shopper's words may still name offers; else what I can do."""
    if question.rest:
        offers = yield from turn.call(
            "search_offers", {"query": " ".join(question.rest)[:100], "limit": 5}
        )
        if offers.get("count"):
            yield from _say(answers.unknown_found(offers))
            return
        yield from _say(answers.unknown_answer())
        return
    yield from _say(answers.help_answer())


_HANDLERS = {
    Intent.OFFERS: _offers,
    Intent.CLAIM: _claim,
    Intent.CART: _cart,
    Intent.CASHBACK: _cashback,
    Intent.EXPIRING: _expiring,
    Intent.LOCKER: _locker,
    Intent.SELL: _sell,
    Intent.SWAP: _swap,
    Intent.LISTINGS: _listings,
    Intent.GIFT_CARDS: _gift_cards,
    Intent.WALLET: _wallet,
    Intent.ORDERS: _orders,
    Intent.HELP: _help,
    Intent.UNKNOWN: _unknown,
}
