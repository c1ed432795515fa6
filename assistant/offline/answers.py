"""The offline engine's words: each answer written from the tools' results and nothing else.

Every figure in an answer is copied from a tool result's data as it stands there (already
formatted with format_inr), so the guard in assistant/safety.py finds each one. Nothing the
shopper typed is repeated back (a code-like word would not be in any result). Sentences are
in the active language (the engine runs them in ctx.language); the lead translates them.

Each function returns a list of sentences; the engine streams them a few words at a time.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from assistant.tools.cards import shown_day
from commerce.models import OrderStatus
from coupzii.core.money import RUPEE_SIGN
from marketplace.models import CouponStatus
from wallet.models import CashbackStatus

#: At most this many things are named in one sentence; the cards show them all.
NAMED_MAX = 3

# Marked, as the chat page's examples are: in Hindi they can be questions a Hindi reader asks.
EXAMPLES = (
    gettext_lazy("Zomato ke coupons"),
    gettext_lazy("best way to pay for a 2500 cart on Myntra"),
    gettext_lazy("where is my cashback from Flipkart?"),
    gettext_lazy("which of my coupons expire this week?"),
    gettext_lazy("sell my Swiggy coupon"),
)


# What ends a sentence in the answers' two languages: the full stop, the Hindi danda (।), and
# the marks both share.
SENTENCE_ENDS = ".।!?"


def _clause(text: str) -> str:
    """`text` without the mark that ends it, to sit inside a sentence that adds its own."""
    return str(text).strip().rstrip(SENTENCE_ENDS).rstrip()


def _listed(parts: list[str]) -> str:
    """Phrases in one sentence, joined with "; ": a phrase that came with a full stop (a
    tool's reason, a title) loses it, so no "।;" nor "।।" is written."""
    return "; ".join(_clause(part) for part in parts if part and _clause(part))


def _full_stop() -> str:
    # Hindi ends a sentence with the danda; the other language, English, with a full stop.
    return "\u0964" if (get_language() or "").startswith("hi") else "."


def _sentences(texts: list[str]) -> str:
    """Whole sentences joined with a space, each keeping the mark that ends it (one is added
    where it is missing) but the last, which loses it: the sentence they are put into ends
    them ("…: A: reason one. B: reason two.")."""
    texts = [str(text).strip() for text in texts if text and _clause(text)]
    if not texts:
        return ""
    ended = [text if text.endswith(tuple(SENTENCE_ENDS)) else text + _full_stop() for text in texts]
    return " ".join([*ended[:-1], _clause(ended[-1])])


def _is_zero(figure: str) -> bool:
    """Whether a formatted figure ("₹0.00") is nothing: those are left unsaid."""
    try:
        return Decimal(figure.replace(RUPEE_SIGN, "").replace(",", "") or "0") == 0
    except InvalidOperation:
        return True


def _quoted(value) -> str:
    """A quoted title (see safety.quoted) as plain text for the shopper."""
    if isinstance(value, dict):
        return str(value.get("quoted") or "")
    return str(value or "")


def _when(days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("by tomorrow")
    if days == 7:
        return _("this week")
    return ngettext("within %(days)d day", "within %(days)d days", days) % {"days": days}


# --- Help and unknown questions ----------------------------------------------------------------


def help_answer() -> list[str]:
    examples = ", ".join(f"\u201c{example}\u201d" for example in EXAMPLES)
    return [
        _(
            "I can find coupons and offers, work out the cheapest way to pay for a cart, "
            "track your cashback, tell you which of your coupons expire soon, help you sell or "
            "swap a coupon, and show gift cards, your wallet and your orders."
        ),
        _("You can ask in English or Hindi, for example: %(examples)s.") % {"examples": examples},
    ]


def unknown_found(offers: dict) -> list[str]:
    count = offers.get("count", 0)
    stores = _store_names(offers.get("offers", []))
    return [
        ngettext(
            "I am not sure what you meant, but I found %(count)d offer that matches your words",
            "I am not sure what you meant, but I found %(count)d offers that match your words",
            count,
        )
        % {"count": count}
        + (_(", at %(stores)s.") % {"stores": stores} if stores else "."),
        _("If that is not what you wanted, ask me for a store's coupons or say help."),
    ]


def unknown_answer() -> list[str]:
    return [_("I did not understand that, and no offer matches your words."), *help_answer()]


# --- Offers ------------------------------------------------------------------------------------


def _store_names(offers: list[dict]) -> str:
    names = []
    for offer in offers:
        if offer.get("store") and offer["store"] not in names:
            names.append(offer["store"])
    return ", ".join(names[:NAMED_MAX])


def _offer_phrase(offer: dict) -> str:
    phrase = offer.get("discount") or ""
    if offer.get("min_order"):
        phrase = _("%(discount)s on orders of %(amount)s or more") % {
            "discount": phrase,
            "amount": offer["min_order"],
        }
    if offer.get("max_discount"):
        phrase = _("%(offer)s (up to %(amount)s)") % {
            "offer": phrase,
            "amount": offer["max_discount"],
        }
    return phrase


def offers_answer(offers: dict, *, store: str = "", category: str = "") -> list[str]:
    """Live offers found (at `store`, or in `category`, or for the shopper's words)."""
    found = offers.get("offers", [])
    count = offers.get("count", len(found))
    if store:
        opening = ngettext(
            "%(store)s has %(count)d live offer for you.",
            "Here are %(count)d live offers at %(store)s.",
            count,
        ) % {"store": store, "count": count}
    elif category:
        opening = ngettext(
            "Here is %(count)d live offer in %(category)s, at %(stores)s.",
            "Here are %(count)d live offers in %(category)s, at %(stores)s.",
            count,
        ) % {"count": count, "category": category, "stores": _store_names(found)}
    else:
        opening = ngettext(
            "Here is %(count)d live offer, at %(stores)s.",
            "Here are %(count)d live offers, at %(stores)s.",
            count,
        ) % {"count": count, "stores": _store_names(found)}
    sentences = [opening]
    phrases = [_offer_phrase(offer) for offer in found[:NAMED_MAX]]
    if any(phrases):
        sentences.append(_("Among them: %(offers)s.") % {"offers": _listed(phrases)})
    cashback = next((offer["cashback"] for offer in found if offer.get("cashback")), "")
    if store and cashback:
        sentences.append(
            _("Shopping through an offer here also earns cashback: %(cashback)s.")
            % {"cashback": cashback.lower() if cashback[:1].isupper() else cashback}
        )
    if any(offer.get("claimable") for offer in found):
        sentences.append(_("Press Claim code on a card to get a code of your own."))
    else:
        sentences.append(_("Press Get deal on a card to shop with it; the code is shown there."))
    return sentences


def claim_answer(claimed: list[dict], offers: dict, *, store: str) -> list[str]:
    """`claimed`: claim_code's data for each offer with a claim card."""
    if claimed:
        phrases = [
            _("%(discount)s at %(store)s")
            % {"discount": row.get("discount", ""), "store": row.get("store", "")}
            for row in claimed
        ]
        return [
            ngettext(
                "This offer hands out a code of your own: %(offers)s.",
                "These offers hand out codes of your own: %(offers)s.",
                len(claimed),
            )
            % {"offers": _listed(phrases)},
            _(
                "Press Claim code on a card and the code is saved to My codes, for you alone. "
                "Nothing is claimed until you do."
            ),
        ]
    if offers.get("count"):
        where = _(" at %(store)s") % {"store": store} if store else ""
        return [
            _("No offer%(where)s has codes of its own to claim right now.") % {"where": where},
            _("The offers on the cards work without one: press Get deal to shop with them."),
        ]
    if store:
        return [_("There are no live offers at %(store)s right now.") % {"store": store}]
    return [_("There are no offers with codes to claim right now.")]


def no_offers_answer(
    *, store: str, stores: dict, gift_cards: dict, listings: dict, locker: dict, elsewhere: dict
) -> list[str]:
    """No live offer at `store`: what else saves money there."""
    sentences = [_("There are no live offers at %(store)s right now.") % {"store": store}]
    cashback = next(
        (row["cashback"] for row in stores.get("stores", []) if row.get("cashback")), ""
    )
    if cashback:
        sentences.append(
            _("Shopping there through Coupzii still earns cashback (%(cashback)s).")
            % {"cashback": cashback}
        )
    cheapest = _cheapest_gift_card(gift_cards)
    if cheapest:
        sentences.append(
            _("%(store)s gift cards sell below face value: %(face)s for %(price)s.")
            % {"store": store, **cheapest}
        )
    if listings.get("count"):
        sentences.append(
            ngettext(
                "%(count)d coupon for it is on sale on the marketplace.",
                "%(count)d coupons for it are on sale on the marketplace.",
                listings["count"],
            )
            % {"count": listings["count"]}
        )
    if locker.get("count"):
        sentences.append(
            ngettext(
                "You also have %(count)d coupon for it in your locker.",
                "You also have %(count)d coupons for it in your locker.",
                locker["count"],
            )
            % {"count": locker["count"]}
        )
    others = _store_names([row for row in elsewhere.get("offers", []) if row.get("store") != store])
    if others:
        sentences.append(
            _("Similar stores with live offers: %(stores)s (on the cards).") % {"stores": others}
        )
    if len(sentences) == 1:
        sentences.append(_("Ask me again later, or ask for another store's coupons."))
    return sentences


def _cheapest_gift_card(gift_cards: dict) -> dict | None:
    """The first denomination on sale below its face value, as {"face", "price"}."""
    for card in gift_cards.get("gift_cards", []):
        for amount in card.get("amounts", []):
            if amount.get("in_stock") and amount.get("price") != amount.get("face_value"):
                return {"face": amount["face_value"], "price": amount["price"]}
    return None


def no_store_answer() -> list[str]:
    return [
        _("I could not find that store on Coupzii, and no offer matches your words."),
        _("Check the store's name, or ask for a category such as fashion or food."),
    ]


def store_locker_note(locker: dict, *, store: str) -> list[str]:
    if not locker.get("count"):
        return []
    return [
        ngettext(
            "You also have %(count)d %(store)s coupon in your locker.",
            "You also have %(count)d %(store)s coupons in your locker.",
            locker["count"],
        )
        % {"count": locker["count"], "store": store}
    ]


# --- Cart --------------------------------------------------------------------------------------


def cart_answer(analysis: dict, *, store: str) -> list[str]:
    """The ranked ways to pay, from analyze_cart's data."""
    options = analysis.get("options", [])
    subtotal = analysis.get("subtotal", "")
    best = options[0] if options else analysis.get("full_price") or {}
    if not best or (_is_zero(best.get("saving", "")) and _is_zero(best.get("cashback", ""))):
        sentences = [
            _(
                "Nothing takes money off a %(subtotal)s cart at %(store)s right now: you pay the "
                "store's price."
            )
            % {"subtotal": subtotal, "store": store}
        ]
    else:
        sentences = [
            _("For your %(subtotal)s cart at %(store)s, the best way to pay: %(summary)s.")
            % {"subtotal": subtotal, "store": store, "summary": best.get("summary", "")},
            _pay_sentence(best),
        ]
    others = len(options) - 1
    if others > 0:
        sentences.append(
            ngettext(
                "There is %(count)d other way on the cards.",
                "There are %(count)d other ways on the cards.",
                others,
            )
            % {"count": others}
        )
    # Each reason is a whole sentence (it may hold a "; " of its own): they follow one another
    # as sentences, not as a "; " list.
    reasons = [
        _("%(title)s: %(reason)s") % {"title": _quoted(row.get("title")), "reason": row["reason"]}
        if _quoted(row.get("title"))
        else row["reason"]
        for row in analysis.get("not_applicable", [])[:2]
        if row.get("reason")
    ]
    if reasons:
        sentences.append(
            _("Not usable on this cart: %(reasons)s.") % {"reasons": _sentences(reasons)}
        )
    return sentences


def _pay_sentence(option: dict) -> str:
    values = {
        "pay_now": option.get("pay_now", ""),
        "saving": option.get("saving", ""),
        "cashback": option.get("cashback", ""),
        "date": shown_day(option.get("cashback_by")),
        "net": option.get("net_price", ""),
    }
    if _is_zero(values["cashback"]):
        return _("You pay %(pay_now)s and save %(saving)s.") % values
    if _is_zero(values["saving"]):
        return (
            _("You pay %(pay_now)s and get %(cashback)s cashback by %(date)s: %(net)s in the end.")
            % values
        )
    return (
        _(
            "You pay %(pay_now)s (saving %(saving)s) and get %(cashback)s cashback by %(date)s: "
            "%(net)s in the end."
        )
        % values
    )


def cart_needs_store() -> list[str]:
    return [
        _(
            "Which store is the cart at? Tell me the store and the amount, for example: best way "
            "to pay for a 2500 cart on Myntra."
        )
    ]


def cart_needs_amount(*, store: str) -> list[str]:
    return [
        _(
            "How much is your %(store)s cart? Tell me the amount, for example: a 2500 cart on "
            "%(store)s."
        )
        % {"store": store}
    ]


def cart_failed() -> list[str]:
    return [_("I could not price that cart. Check the store and the amount and ask me again.")]


# --- Cashback ----------------------------------------------------------------------------------


def cashback_answer(cashback: dict, *, store: str = "") -> list[str]:
    rows = cashback.get("cashback", [])
    if not rows:
        if store:
            first = _("I found no cashback from %(store)s on your account yet.") % {"store": store}
        else:
            first = _("I found no cashback on your account yet.")
        return [
            first,
            _(
                "Cashback shows up here once a store reports your order, usually within a few "
                "days. To earn it, open an offer on Coupzii and shop through its Get deal button."
            ),
        ]
    sentences = []
    for row in rows[:NAMED_MAX]:
        values = {
            "amount": row.get("cashback", ""),
            "store": row.get("store") or store or _("a store"),
            "shopped": shown_day(row.get("shopped_on")),
            "date": shown_day(row.get("expected_by")),
            "confirmed": shown_day(row.get("confirmed_on")),
        }
        if row.get("status") == CashbackStatus.PENDING:
            sentences.append(_pending_sentence(row.get("expected_arrival"), values))
        elif row.get("status") == CashbackStatus.CONFIRMED:
            sentences.append(
                _("%(amount)s from %(store)s was confirmed on %(confirmed)s and is in your wallet.")
                % values
                if values["confirmed"]
                else _("%(amount)s from %(store)s is confirmed and in your wallet.") % values
            )
        else:
            sentences.append(
                _("%(amount)s from %(store)s (shopped on %(shopped)s) was declined by the store.")
                % values
            )
    if len(rows) > NAMED_MAX:
        sentences.append(_("The rest are on the cards."))
    return sentences


def _pending_sentence(arrival: dict | None, values: dict) -> str:
    """A pending cashback, as the wallet tracker says it: the range its store's (or network's)
    history makes likely, or once past that range that it is taking longer than usual; with
    nothing learned, the date the sale was reported with (or no date)."""
    start, end = shown_day((arrival or {}).get("from")), shown_day((arrival or {}).get("to"))
    if start and end and not arrival.get("late"):
        return _(
            "%(amount)s from %(store)s (shopped on %(shopped)s) is pending: likely confirmed "
            "between %(from)s and %(to)s."
        ) % {**values, "from": start, "to": end}
    if start and end:
        return _late_sentence(arrival, values)
    if values["date"]:
        return (
            _(
                "%(amount)s from %(store)s (shopped on %(shopped)s) is pending: the store "
                "should confirm it by %(date)s."
            )
            % values
        )
    return _("%(amount)s from %(store)s (shopped on %(shopped)s) is pending.") % values


def _late_sentence(arrival: dict, values: dict) -> str:
    days = arrival.get("within_days") or 0
    words = {**values, "days": days, "network": arrival.get("network", "")}
    if arrival.get("basis") == "network":
        return (
            ngettext(
                "%(amount)s from %(store)s (shopped on %(shopped)s) is pending and taking longer "
                "than usual: most cashback through %(network)s is confirmed within %(days)s day.",
                "%(amount)s from %(store)s (shopped on %(shopped)s) is pending and taking longer "
                "than usual: most cashback through %(network)s is confirmed within %(days)s days.",
                days,
            )
            % words
        )
    return (
        ngettext(
            "%(amount)s from %(store)s (shopped on %(shopped)s) is pending and taking longer than "
            "usual: most of %(store)s's cashback is confirmed within %(days)s day.",
            "%(amount)s from %(store)s (shopped on %(shopped)s) is pending and taking longer than "
            "usual: most of %(store)s's cashback is confirmed within %(days)s days.",
            days,
        )
        % words
    )


# --- Locker: expiring, mine, sell, swap --------------------------------------------------------


def _coupon_phrase(coupon: dict, store_names: dict[str, str]) -> str:
    """ "Swiggy (worth ₹100.00, expires 10 Dec 2026)": the store, else the coupon's title."""
    store = store_names.get(coupon.get("store_ref", ""), "") or _quoted(coupon.get("title"))
    values = {
        "store": store,
        "worth": coupon.get("worth", ""),
        "date": shown_day(coupon.get("expires_on")),
    }
    if values["worth"] and values["date"]:
        return _("%(store)s (worth %(worth)s, expires %(date)s)") % values
    if values["date"]:
        return _("%(store)s (expires %(date)s)") % values
    if values["worth"]:
        return _("%(store)s (worth %(worth)s)") % values
    return store


def expiring_answer(
    coupons: dict, *, days: int, later: dict, store_names: dict[str, str]
) -> list[str]:
    rows = coupons.get("coupons", [])
    when = _when(days)
    if rows:
        phrases = [_coupon_phrase(row, store_names) for row in rows[:NAMED_MAX]]
        sentences = [
            ngettext(
                "%(count)d of your coupons expires %(when)s: %(coupons)s.",
                "%(count)d of your coupons expire %(when)s: %(coupons)s.",
                len(rows),
            )
            % {"count": len(rows), "when": when, "coupons": _listed(phrases)},
            _("Use them before then, or sell the ones you will not use: each card has a button."),
        ]
        return sentences
    sentences = [_("None of your coupons expire %(when)s.") % {"when": when}]
    later_rows = later.get("coupons", [])
    dated = [row for row in later_rows if row.get("expires_on")]
    if dated:
        sentences.append(
            _("The next one to expire: %(coupon)s.")
            % {"coupon": _coupon_phrase(dated[0], store_names)}
        )
    elif not later_rows:
        sentences.append(_no_coupons_hint())
    return sentences


def _no_coupons_hint() -> str:
    return _(
        "Your locker has no active coupons: add one by typing its code or uploading a "
        "screenshot, and I will remind you before it expires."
    )


def locker_answer(coupons: dict, *, store: str, store_names: dict[str, str]) -> list[str]:
    rows = coupons.get("coupons", [])
    if not rows:
        if store:
            return [
                _("You have no active %(store)s coupons in your locker.") % {"store": store},
                _no_coupons_hint(),
            ]
        return [_no_coupons_hint()]
    phrases = [_coupon_phrase(row, store_names) for row in rows[:NAMED_MAX]]
    return [
        ngettext(
            "You have %(count)d active coupon in your locker: %(coupons)s.",
            "You have %(count)d active coupons in your locker, soonest to expire first: "
            "%(coupons)s.",
            len(rows),
        )
        % {"count": len(rows), "coupons": _listed(phrases)},
        _("Open a card to see its code."),
    ]


def sell_answer(
    coupons: list[dict],
    *,
    refused: list[dict],
    store: str,
    store_names: dict[str, str],
    price: str = "",
) -> list[str]:
    """`coupons` each came with a sell card; `refused` could not be listed (no worth said,
    expired); none at all: how to sell one. `price`: the price the shopper said, as
    list_coupon formatted it; the sell page opens with it filled in."""
    if coupons:
        if len(coupons) == 1:
            first = _("Here is your coupon: %(coupon)s.") % {
                "coupon": _coupon_phrase(coupons[0], store_names)
            }
        else:
            first = ngettext(
                "Which one? Here is %(count)d of your coupons: %(coupons)s.",
                "Which one? Here are %(count)d of your coupons: %(coupons)s.",
                len(coupons),
            ) % {
                "count": len(coupons),
                "coupons": _listed([_coupon_phrase(row, store_names) for row in coupons]),
            }
        if price:
            # The card's link opens the sell page at the shopper's own figure (`?price=`).
            how = _(
                "Press Open the sell page on the card: it opens at your price, %(price)s, with "
                "the fee and what you receive, and the code stays hidden until someone buys "
                "it. Nothing is listed until you confirm."
            ) % {"price": price}
        else:
            how = _(
                "Press Open the sell page on the card to list it on the marketplace: you set "
                "the price there, and the code stays hidden until someone buys it. Nothing is "
                "listed until you confirm."
            )
        return [first, how]
    if refused:
        return [
            _("Your coupon %(coupon)s cannot be listed yet.")
            % {"coupon": _coupon_phrase(refused[0], store_names)},
            _(
                "Open it in your locker and say what it is worth; a coupon that has expired or "
                "is already listed cannot be sold."
            ),
        ]
    where = (
        _("You have no active %(store)s coupon in your locker to sell.") % {"store": store}
        if store
        else _("You have no active coupon in your locker to sell.")
    )
    return [
        where,
        _(
            "To sell one, add it to your locker first (type its code or upload a "
            "screenshot), then press Sell it on the coupon: you set the price, and the code "
            "stays hidden until someone buys it."
        ),
    ]


def swap_answer(
    coupons: list[dict], offered: list[dict], *, store: str, store_names: dict[str, str]
) -> list[str]:
    """`coupons`: the shopper's own; `offered`: listings open to swaps, each with a card."""
    if not coupons:
        where = (
            _("You have no active %(store)s coupon in your locker to swap.") % {"store": store}
            if store
            else _("You have no active coupon in your locker to swap.")
        )
        return [
            where,
            _(
                "Add a coupon to your locker first; then you can offer it in exchange for a "
                "listing whose seller welcomes swaps."
            ),
        ]
    mine = _listed([_coupon_phrase(row, store_names) for row in coupons])
    if not offered:
        return [
            _(
                "You could swap %(coupons)s, but no listing on the marketplace welcomes swaps "
                "right now."
            )
            % {"coupons": mine},
            _("You can list yours for sale instead: ask me to sell it."),
        ]
    return [
        ngettext(
            "You could swap %(coupons)s for %(count)d listing whose seller welcomes swaps.",
            "You could swap %(coupons)s for one of %(count)d listings whose sellers welcome swaps.",
            len(offered),
        )
        % {"coupons": mine, "count": len(offered)},
        _(
            "Press Open the swap form on a card to choose which coupon of yours to offer; "
            "nothing is sent until you confirm there."
        ),
    ]


def listings_answer(listings: dict, *, store: str) -> list[str]:
    rows = [row for row in listings.get("listings", []) if not row.get("yours")]
    if not rows:
        if store:
            return [
                _("Nobody is selling a %(store)s coupon on the marketplace right now.")
                % {"store": store}
            ]
        return [_("Nobody is selling a coupon on the marketplace right now.")]
    phrases = [
        _("worth %(worth)s for %(price)s") % {"worth": row["worth"], "price": row["price"]}
        if row.get("worth")
        else _("for %(price)s") % {"price": row.get("price", "")}
        for row in rows[:NAMED_MAX]
    ]
    where = _(" for %(store)s") % {"store": store} if store else ""
    return [
        ngettext(
            "%(count)d coupon%(where)s is on sale on the marketplace: %(listings)s.",
            "%(count)d coupons%(where)s are on sale on the marketplace: %(listings)s.",
            len(rows),
        )
        % {"count": len(rows), "where": where, "listings": _listed(phrases)},
        _(
            "You pay into escrow and see the code at once; the seller is paid after the dispute "
            "window."
        ),
    ]


# --- Gift cards, wallet, orders ----------------------------------------------------------------


def gift_cards_answer(gift_cards: dict, *, store: str, added: bool) -> list[str]:
    rows = gift_cards.get("gift_cards", [])
    if not rows:
        if store:
            return [
                _("There are no %(store)s gift cards in the shop right now.") % {"store": store},
                _("Ask me for %(store)s coupons instead.") % {"store": store},
            ]
        return [_("There are no gift cards in the shop that match.")]
    sentences = []
    for row in rows[:NAMED_MAX]:
        amounts = [
            _("%(face)s for %(price)s") % {"face": amount["face_value"], "price": amount["price"]}
            if amount["price"] != amount["face_value"]
            else amount["face_value"]
            for amount in row.get("amounts", [])[:NAMED_MAX]
            if amount.get("in_stock")
        ]
        if amounts:
            sentences.append(
                _("%(card)s: %(amounts)s.") % {"card": row["name"], "amounts": ", ".join(amounts)}
            )
        else:
            sentences.append(_("%(card)s is out of stock.") % {"card": row["name"]})
    if added:
        sentences.append(_("Press Add to cart on the card to put that amount in your cart."))
    else:
        sentences.append(_("Press Add to cart on a card to buy one; you pay on the cart's page."))
    return sentences


def wallet_answer(wallet: dict) -> list[str]:
    if "available" not in wallet:
        return [_("I could not read your wallet just now. Open the wallet page to see it.")]
    sentences = [
        _("You have %(amount)s available to spend or withdraw.") % {"amount": wallet["available"]}
    ]
    if not _is_zero(wallet.get("pending", "")):
        sentences.append(
            _("%(amount)s more is pending, waiting for stores to confirm it.")
            % {"amount": wallet["pending"]}
        )
    if not _is_zero(wallet.get("held", "")):
        sentences.append(
            _("%(amount)s is held for an order or a withdrawal.") % {"amount": wallet["held"]}
        )
    if not _is_zero(wallet.get("lifetime_earned", "")):
        sentences.append(
            _("You have earned %(amount)s with Coupzii so far.")
            % {"amount": wallet["lifetime_earned"]}
        )
    return sentences


def orders_answer(orders: dict) -> list[str]:
    rows = orders.get("orders", [])
    if not rows:
        return [_("You have no gift-card orders yet. Ask me about gift cards to find one.")]
    latest = rows[0]
    status = _label(OrderStatus, latest.get("status", ""))
    sentences = [
        _("Your latest order, %(number)s of %(date)s, is %(status)s: %(total)s.")
        % {
            "number": latest.get("ref", ""),
            "date": shown_day(latest.get("placed")),
            "status": status.lower(),
            "total": latest.get("total", ""),
        }
    ]
    if len(rows) > 1:
        sentences.append(
            ngettext(
                "%(count)d more order is on the cards.",
                "%(count)d more orders are on the cards.",
                len(rows) - 1,
            )
            % {"count": len(rows) - 1}
        )
    sentences.append(_("Delivered codes and PINs are on each order's page."))
    return sentences


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def coupon_status_label(value: str) -> str:
    return _label(CouponStatus, value)
