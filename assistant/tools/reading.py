"""Reading tools: offers, stores, locker, listings, wallet, cashback, orders, gift cards, cart.

Each reads through the owning app's selectors, scoped to `ctx.user` where the rows are a
shopper's own, and answers with small model-safe data (see assistant/tools/__init__.py) and
cards for the shopper. Lists are capped (LIMIT_MAX rows) and cost a fixed number of queries
however many rows they return.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assistant import cart as cart_analysis
from assistant.cart import errors as cart_errors
from assistant.safety import quoted
from catalog import selectors as catalog_selectors
from catalog.models import Category, Merchant
from commerce import selectors as commerce_selectors
from coupzii.core.money import format_inr
from marketplace import selectors as marketplace_selectors
from offers import selectors as offer_selectors
from wallet import selectors as wallet_selectors
from wallet.models import CashbackStatus

from . import ToolContext, ToolResult
from . import cards as card_of
from .cards import day, discount_label, rupees, without_code
from .define import LIMIT, LIMIT_MAX, error, schema, text, tool

#: How much of a long text (an offer's terms, a coupon's notes) a list row carries: enough to
#: answer "is there a minimum order?", not a page of fine print in the model's context.
ROW_TEXT_CHARS = 200


def short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= ROW_TEXT_CHARS else text[: ROW_TEXT_CHARS - 1] + "\u2026"


def first(rows, limit: int) -> tuple[list, bool]:
    """The first `limit` rows, and whether there are more (one row more is read, so an answer
    can say "and more" instead of taking five for all of them)."""
    rows = list(rows[: limit + 1])
    return rows[:limit], len(rows) > limit


def listed(name: str, rows: list, more: bool, *, data, card) -> ToolResult:
    """A list tool's result: each row's data under `name`, how many rows, whether there are
    more, and a card for each row."""
    return ToolResult(
        data={name: [data(row) for row in rows], "count": len(rows), "more": more},
        cards=[card(row) for row in rows],
    )


def unknown_ref(*, store: str = "", category: str = "") -> ToolResult | None:
    """An error when a list came back empty because its store or category ref is not one
    (the model guessed a slug), so the answer is "no such store", not "no offers there".
    Only asked after an empty list: a list with rows costs no extra query."""
    if store:
        try:
            catalog_selectors.merchant_by_slug(store)
        except Merchant.DoesNotExist:
            return error(_("No store has that ref; find_stores gives store refs."))
    if category:
        try:
            catalog_selectors.category_by_slug(category)
        except Category.DoesNotExist:
            return error(_("No category has that ref."))
    return None


# --- Offers and stores ----------------------------------------------------------------------


def offer_data(offer, *, held: bool = False) -> dict:
    """What the model may know of an offer: never its code (kind "code" offers show it on the
    store's page after the click-out, unique codes only to the shopper who claims one).
    `held`: the shopper already holds as many of its codes as they may (claimable no more)."""
    return {
        "ref": str(offer.public_id),
        "title": quoted(without_code(offer.title, offer.code)),
        "store": offer.merchant.name,
        "store_ref": offer.merchant.slug,
        "kind": offer.kind,
        "discount": discount_label(offer),
        "min_order": rupees(offer.min_order),
        "max_discount": rupees(offer.max_discount),
        "cashback": offer_selectors.offer_cashback_label(offer),
        "ends": day(offer.ends_at),
        "claimable": bool(getattr(offer, "claimable", False)) and not held,
        "you_hold_a_code": held,
        "description": quoted(short(without_code(offer.description, offer.code))),
        "terms": quoted(short(without_code(offer.terms, offer.code))),
    }


def _language_columns(field: str) -> list[str]:
    # Translated columns (title_en, title_hi): a shopper reading Hindi still types "pizza".
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]


def _offers_matching(offers, query: str):
    matches = Q(merchant__name__icontains=query)
    for column in _language_columns("title") + _language_columns("description"):
        matches |= Q(**{f"{column}__icontains": query})
    return offers.filter(matches)


@tool(
    "search_offers",
    "Live offers (coupon codes, deals, unique codes) matching a query, a store and/or a "
    "category, best first. Returns offer refs to use with claim_code. Codes are never "
    "included: the shopper gets them from the offer's page.",
    schema(
        {
            "query": text("Words to look for, e.g. 'pizza' or 'shoes'.", max_length=100),
            "store": text("A store's ref (slug) from find_stores.", max_length=120),
            "category": text("A category's slug, e.g. 'fashion'.", max_length=80),
            "limit": LIMIT,
        }
    ),
)
def search_offers(ctx: ToolContext, *, query: str, store: str, category: str, limit: int):
    if query and not store and not category:
        offers, more = first(
            offer_selectors.search(query, limit=limit + 1, now=ctx.now).offers, limit
        )
    else:
        found = offer_selectors.offers_list(
            merchant_slug=store, category_slug=category, now=ctx.now
        )
        offers, more = first(_offers_matching(found, query) if query else found, limit)
    if not offers and (refused := unknown_ref(store=store, category=category)):
        return refused
    cards = [card_of.offer_card(offer) for offer in offers]
    held = card_of.claims_checked(cards, user=ctx.user)
    # Not listed(): the cards are made first, as which offers the shopper holds codes of
    # comes from checking them.
    return ToolResult(
        data={
            "offers": [offer_data(offer, held=str(offer.public_id) in held) for offer in offers],
            "count": len(offers),
            "more": more,
        },
        cards=cards,
    )


def store_data(merchant) -> dict:
    return {
        "ref": merchant.slug,
        "name": merchant.name,
        "cashback": catalog_selectors.merchant_cashback_label(merchant),
        "live_offers": merchant.live_offer_count,
        "categories": [category.name for category in merchant.categories.all()][:5],
    }


@tool(
    "find_stores",
    "Stores (merchants) whose name or description matches the query, with their best cashback "
    "and how many live offers they have. Use the store ref with the other tools' store "
    "argument.",
    schema(
        {"query": text("A store name or what it sells.", max_length=100), "limit": LIMIT},
        required=("query",),
    ),
)
def find_stores(ctx: ToolContext, *, query: str, limit: int):
    if not query:
        return error(_("Say which store to look for."))
    merchants, more = first(
        offer_selectors.search(query, limit=limit + 1, now=ctx.now).merchants, limit
    )
    return listed("stores", merchants, more, data=store_data, card=card_of.store_card)


# --- Locker and marketplace -----------------------------------------------------------------

LOCKER_STATUSES = ["active", "used", "expired", "listed", "sold", "all"]


def coupon_data(coupon) -> dict:
    """One of the shopper's locker coupons, without its code. Its title, terms and notes may
    have been typed by the shopper or read off a screenshot: quoted, with the code blanked out
    where the shopper wrote it in."""
    return {
        "ref": str(coupon.public_id),
        "title": quoted(without_code(marketplace_selectors.coupon_title_of(coupon), coupon.code)),
        "store_ref": coupon.merchant.slug if coupon.merchant_id else "",
        "status": coupon.status,
        "source": coupon.source,
        "worth": rupees(coupon.worth),
        "min_order": rupees(coupon.min_order),
        "max_discount": rupees(coupon.max_discount),
        "expires_on": day(coupon.expires_on),
        "terms": quoted(short(without_code(coupon.terms, coupon.code))),
        "notes": quoted(short(without_code(coupon.notes, coupon.code))),
    }


@tool(
    "my_locker",
    "The shopper's own saved coupons (their locker), soonest expiry first. Optional: one "
    "store, only those expiring within N days, a status. Codes are never included: each "
    "coupon's card links to its locker page. Use the coupon ref with list_coupon.",
    schema(
        {
            "store": text("A store's ref (slug) or name.", max_length=120),
            "expiring_within_days": {
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": 365,
                "default": None,
                "description": "Only coupons expiring within this many days.",
            },
            "status": {
                "type": "string",
                "enum": LOCKER_STATUSES,
                "default": "active",
                "description": "Which coupons: active (default), used, expired, listed, sold "
                "or all (all but sold).",
            },
            "limit": LIMIT,
        }
    ),
)
def my_locker(
    ctx: ToolContext, *, store: str, expiring_within_days: int | None, status: str, limit: int
):
    coupons = marketplace_selectors.locker_for(
        ctx.user, status=None if status == "all" else status, store=store or None
    )
    if expiring_within_days is not None:
        last_day = timezone.localdate(ctx.now) + timedelta(days=expiring_within_days)
        coupons = coupons.filter(expires_on__isnull=False, expires_on__lte=last_day)
    coupons, more = first(coupons, limit)
    return listed("coupons", coupons, more, data=coupon_data, card=card_of.coupon_card)


def listing_data(listing) -> dict:
    """A live listing as a buyer sees it (never its code). Its title names a store that the
    seller may have typed: quoted."""
    return {
        "ref": str(listing.public_id),
        "title": quoted(listing.display_title),
        "store_ref": listing.merchant.slug if listing.merchant_id else "",
        "price": rupees(listing.price),
        "worth": rupees(listing.worth),
        "saving": rupees(listing.saving),
        "expires_on": day(listing.expires_on),
        "verified": listing.verified,
        "swap_welcome": listing.swap_welcome,
    }


@tool(
    "marketplace_listings",
    "Coupons other shoppers sell on the marketplace (live listings), newest first, optionally "
    "for one store or matching words. Each has a price and what it is worth.",
    schema(
        {
            "store": text("A store's ref (slug).", max_length=120),
            "query": text("Words to look for in the title or store.", max_length=100),
            "limit": LIMIT,
        }
    ),
)
def marketplace_listings(ctx: ToolContext, *, store: str, query: str, limit: int):
    # Other shoppers' only: the shopper can neither buy nor swap for their own listing, and
    # theirs would take the places of ones they can.
    listings = marketplace_selectors.listings_browse(store=store or None).exclude(
        seller_id=ctx.user.pk
    )
    if query:
        listings = listings.filter(
            Q(title__icontains=query)
            | Q(merchant__name__icontains=query)
            | Q(store_name__icontains=query)
        )
    listings, more = first(listings, limit)
    if not listings and (refused := unknown_ref(store=store)):
        return refused
    return listed(
        "listings",
        listings,
        more,
        data=listing_data,
        card=lambda listing: card_of.listing_card(listing, user=ctx.user),
    )


# --- Wallet, cashback, orders ---------------------------------------------------------------


@tool(
    "my_wallet",
    "The shopper's wallet: cashback available to spend or withdraw, pending (not yet "
    "confirmed by the store), held (set aside for an order or a withdrawal), earned so far, "
    "withdrawn, and anything owed.",
    schema({}),
)
def my_wallet(ctx: ToolContext):
    summary = wallet_selectors.wallet_summary(ctx.user)
    return ToolResult(
        data={
            "available": format_inr(summary.available),
            "pending": format_inr(summary.pending),
            "held": format_inr(summary.held),
            "lifetime_earned": format_inr(summary.lifetime_earned),
            "withdrawn": format_inr(summary.withdrawn),
            "owed": format_inr(summary.owed),
        },
        cards=[card_of.wallet_card(summary)],
    )


def cashback_data(event) -> dict:
    return {
        "ref": str(event.public_id),
        "store": event.merchant.name if event.merchant_id else "",
        "store_ref": event.merchant.slug if event.merchant_id else "",
        "status": event.status,
        "cashback": format_inr(event.cashback),
        "order_amount": format_inr(event.sale_amount),
        "shopped_on": day(event.occurred_at),
        # Only a pending cashback is still expected; a settled one says when it settled.
        # With a range learned from the store's history, "expected by" is the range's end.
        "expected_by": expected_by(event),
        "expected_arrival": expected_arrival_data(getattr(event, "expected_arrival", None)),
        "confirmed_on": day(event.confirmed_at) if event.status == CashbackStatus.CONFIRMED else "",
        "declined_on": (
            day(event.declined_at or event.reversed_at)
            if event.status == CashbackStatus.DECLINED
            else ""
        ),
    }


def expected_by(event) -> str:
    if event.status != CashbackStatus.PENDING:
        return ""
    arrival = getattr(event, "expected_arrival", None)
    return day(arrival.end if arrival else event.expected_confirmation)


def expected_arrival_data(arrival) -> dict | None:
    """When a pending cashback is likely confirmed, as the wallet tracker shows it: between
    `from` and `to`, by which `share`% of the store's (basis "store") or its network's
    (basis "network") confirmed cashback was confirmed; `late` once past `to` ("taking longer
    than usual": most is confirmed within `within_days` of the sale being reported). None when
    nothing is learned (then `expected_by` is the date the sale was reported with)."""
    if arrival is None:
        return None
    return {
        "from": day(arrival.start),
        "to": day(arrival.end),
        "share": arrival.share,
        "basis": arrival.basis,
        "network": arrival.network,
        "late": arrival.late,
        "within_days": arrival.days,
    }


@tool(
    "my_cashback",
    "The shopper's own cashback from shopping through Coupzii, newest first: pending, "
    "confirmed or declined, optionally for one store.",
    schema(
        {
            "store": text("A store's ref (slug).", max_length=120),
            "status": {
                "type": "string",
                "enum": ["", *CashbackStatus.values],
                "default": "",
                "description": "pending, confirmed, declined, or '' for all.",
            },
            "limit": LIMIT,
        }
    ),
)
def my_cashback(ctx: ToolContext, *, store: str, status: str, limit: int):
    events = wallet_selectors.cashback_events_for(ctx.user, status=status)
    if store:
        events = events.filter(merchant__slug=store)
    events, more = first(events, limit)
    if not events and (refused := unknown_ref(store=store)):
        return refused
    # The likely ranges of every pending row: one query for the list, none when none pends.
    events = wallet_selectors.cashback_arrivals_attach(events)
    return listed("cashback", events, more, data=cashback_data, card=card_of.cashback_card)


def order_data(order) -> dict:
    return {
        "ref": order.number,
        "status": order.status,
        "total": format_inr(order.total),
        "placed": day(order.created_at),
        "items": [
            {
                "gift_card": line.product_name,
                "face_value": format_inr(line.face_value),
                "quantity": line.quantity,
            }
            for line in order.lines.all()
        ][:LIMIT_MAX],
    }


@tool(
    "my_orders",
    "The shopper's own gift-card orders, newest first, with status and total. Delivered codes "
    "and PINs are never included: they are on the order's page.",
    schema({"limit": LIMIT}),
)
def my_orders(ctx: ToolContext, *, limit: int):
    orders, more = first(
        commerce_selectors.orders_of(ctx.user).order_by("-created_at", "-pk"), limit
    )
    return listed("orders", orders, more, data=order_data, card=card_of.order_card)


# --- Gift cards -----------------------------------------------------------------------------


def gift_card_data(product) -> dict:
    return {
        "ref": product.slug,
        "name": product.name,
        "brand": product.merchant.name,
        "store_ref": product.merchant.slug,
        "amounts": [
            {
                "sku": variant.sku,
                "face_value": format_inr(variant.face_value),
                "price": format_inr(variant.price),
                "in_stock": variant.stock > 0,
                "min_quantity": variant.min_quantity,
                "max_quantity": variant.max_quantity,
            }
            for variant in product.sellable_variants[:6]
        ],
        "terms": quoted(short(product.terms)),
    }


@tool(
    "gift_cards",
    "Gift cards on sale in the shop, optionally one brand's or matching words, with each "
    "amount's sku, face value and price. Use a sku with add_gift_card.",
    schema(
        {
            "store": text("A brand's ref (slug).", max_length=120),
            "query": text("Words to look for in the card or brand name.", max_length=100),
            "limit": LIMIT,
        }
    ),
)
def gift_cards(ctx: ToolContext, *, store: str, query: str, limit: int):
    products, more = first(catalog_selectors.gift_cards_list(q=query, brand_slug=store), limit)
    if not products and (refused := unknown_ref(store=store)):
        return refused
    return listed("gift_cards", products, more, data=gift_card_data, card=card_of.gift_card_card)


# --- The cart -------------------------------------------------------------------------------

CART_ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 120, "description": "What the item is."},
        "category": {
            "type": "string",
            "maxLength": 80,
            "default": "",
            "description": "Its category's slug or name, e.g. 'shoes'.",
        },
        "price": {
            "type": ["number", "string"],
            "minimum": 0.01,
            "maximum": 10000000,
            "maxLength": 16,
            "description": "The store's price of one, in rupees.",
        },
        "quantity": {"type": "integer", "minimum": 1, "maximum": 99, "default": 1},
    },
    "required": ["price"],
    "additionalProperties": False,
}


def _cart_on_screen(ctx: ToolContext) -> dict:
    return ctx.cart if isinstance(ctx.cart, dict) else {}


@tool(
    "analyze_cart",
    "The ways to pay for a cart at one store, cheapest net price first: the shopper's locker "
    "coupons, the store's offers, marketplace listings, gift cards bought below face value and "
    "cashback, each with what it saves and why the others do not apply. Give the items, or "
    "just the cart's amount; with neither, the cart on the shopper's screen is used.",
    schema(
        {
            "store": text("The store's ref (slug).", max_length=120),
            "items": {
                "type": "array",
                "maxItems": 100,
                "default": [],
                "items": CART_ITEM,
                "description": "The cart's lines.",
            },
            "amount": {
                "type": ["number", "null"],
                "minimum": 0.01,
                "maximum": 10000000,
                "default": None,
                "description": "Only the cart's total in rupees, when the items are not known.",
            },
        }
    ),
)
def analyze_cart(ctx: ToolContext, *, store: str, items: list, amount: float | None):
    on_screen = _cart_on_screen(ctx)
    store = store or str(on_screen.get("store") or "")
    if not store:
        return error(_("Say which store the cart is at."))
    if not items and amount is not None:
        items = [{"name": _("Your cart"), "category": "", "price": amount, "quantity": 1}]
    elif not items and str(on_screen.get("store") or store) == store:
        # The cart on screen, only for its own store: its items priced at another would be
        # a cart nobody has.
        items = on_screen.get("items") or []
    if not items:
        return error(_("Say what is in the cart, or its total."))
    try:
        analysis = cart_analysis.cart_analyze(user=ctx.user, store=store, items=items, now=ctx.now)
    except cart_errors.UnknownStore:
        # Not the store's text back: it came from the client or the model, and an error is
        # read as the tool's own words.
        return error(_("There is no such store on Coupzii. find_stores gives store refs."))
    except cart_errors.InvalidCart as refused:
        return error(refused.message)
    cards = cart_analysis.analysis_cards(analysis)
    # A "Claim code" of an offer the shopper holds all the codes of they may becomes a link
    # to My codes.
    card_of.claims_checked(cards, user=ctx.user)
    return ToolResult(data=cart_analysis.analysis_data(analysis), cards=cards)
