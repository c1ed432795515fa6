"""Cards the tools hand the shopper: an offer, a locker coupon, a listing, a gift card, a
cashback, an order, a store, the wallet, and the "action" card of an acting tool.

The shape is in assistant/tools/__init__.py. Every card links to the real page of the thing it
shows, and its buttons go to the routes those pages already use (a claim posts to the offer's
claim view, "Add to cart" to the gift card's page), so a card does exactly what the page's own
button does. Text is in the active language; figures go through format_inr. No card ever
carries a code or a PIN: a locker coupon's card links to its locker page, where its owner sees
the code.
"""

import re
import uuid
from datetime import date
from decimal import Decimal

from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.selectors import merchant_cashback_label
from coupzii.core.money import format_inr
from marketplace.selectors import coupon_title_of
from offers.models import OfferKind
from offers.selectors import offer_cashback_label, offer_discount_label, offers_at_claim_limit
from wallet.models import CashbackStatus


def card(
    kind: str,
    *,
    ref: str,
    title: str,
    subtitle: str = "",
    image: str = "",
    facts: list | None = None,
    url: str = "",
    actions: list | None = None,
) -> dict:
    """A card in the shape every renderer expects; facts with an empty value are left out."""
    return {
        "type": kind,
        "ref": str(ref),
        "title": str(title),
        "subtitle": str(subtitle),
        "image": image,
        "facts": [[str(label), str(value)] for label, value in facts or [] if value],
        "url": url,
        "actions": actions or [],
    }


def action(label: str, url: str, *, method: str = "get", fields: dict | None = None) -> dict:
    return {
        "label": str(label),
        "method": method,
        "url": url,
        "fields": {name: str(value) for name, value in (fields or {}).items()},
    }


def rupees(amount: Decimal | None) -> str:
    """₹1,250.00, or "" for no amount (the fact is then left off the card)."""
    return format_inr(amount) if amount is not None else ""


def day(value) -> str:
    """An ISO date (YYYY-MM-DD) in India's calendar for a datetime or a date; "" for none.
    The model's data holds dates this way; what the shopper reads is `shown_day`."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localdate(value)
    return value.isoformat()


def shown_day(value) -> str:
    """A date as the site's pages write it, in the active language (26 Jan 2027, 26 जनवरी
    2027): a date, a datetime (its day in India) or an ISO date from a tool's data; "" for
    none or for text that is not a date."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return ""
    elif hasattr(value, "hour"):
        value = timezone.localdate(value)
    return date_format(value)


def without_code(text: str, code: str) -> str:
    """`text` with `code` blanked out wherever it appears, in any case: a brand may write its
    offer's code into the title or terms, a shopper their coupon's into its notes."""
    if not text or not code or len(code.strip()) < 3:
        return text or ""
    return re.sub(re.escape(code.strip()), "•••", text, flags=re.IGNORECASE)


def merchant_logo(merchant) -> str:
    return merchant.logo.url if merchant is not None and merchant.logo else ""


# --- Offers and stores ----------------------------------------------------------------------


def discount_label(offer) -> str:
    """ "50% off", "₹200 off", "Buy 1 Get 1", "Free delivery" or "Deal": the offer cards' own
    label (offers' discount_badge filter reads the same selector)."""
    return offer_discount_label(offer)


def offer_url(offer) -> str:
    """The offer as shoppers see it: on its store's page."""
    return reverse("merchant_detail", args=[offer.merchant.slug]) + f"#offer-{offer.public_id}"


def offer_actions(offer) -> list[dict]:
    """What the offer's own card offers: its own code handed out ("Claim code") for a
    unique-code offer that still has codes, nothing for one that has none left, and the
    click-out ("Get deal") for everything else."""
    if offer.kind == OfferKind.UNIQUE_CODE:
        if not getattr(offer, "claimable", False):
            return []
        claim = reverse("offer_claim", args=[offer.public_id])
        # A fresh token per card: a double-clicked button claims once.
        return [
            action(
                _("Claim code"), claim, method="post", fields={"idempotency_key": uuid.uuid4().hex}
            )
        ]
    return [action(_("Get deal"), reverse("offer_go", args=[offer.public_id]))]


def claimed_offer(button: dict) -> str:
    """The public id of the offer a card's button claims a code of ("" for any other button)."""
    if button.get("method") != "post":
        return ""
    try:
        match = resolve(str(button.get("url") or "").split("?")[0])
    except Resolver404:
        return ""
    return str(match.kwargs.get("public_id", "")) if match.url_name == "offer_claim" else ""


def claims_checked(cards: list[dict], *, user) -> set[str]:
    """Turns, in place, every "Claim code" of `cards` the shopper could not use (they already
    hold as many codes of the offer as one shopper may; the claim would only say so) into
    what is true: they hold it, with a link to My codes. Any card's claim buttons (offers, the
    cart's pay options); one query for the whole list, none when no card has a claim button.
    Returns the public ids of the offers they hold so, for the model's data."""
    claims = [
        (card, position, offer)
        for card in cards
        for position, button in enumerate(card.get("actions") or [])
        if (offer := claimed_offer(button))
    ]
    if not claims:
        return set()
    held = offers_at_claim_limit(user, {offer for _card, _position, offer in claims})
    for found, position, offer in claims:
        if offer in held:
            found["actions"][position] = action(_("Open My codes"), reverse("my_codes"))
            found["facts"].append(
                [str(_("Your code")), str(_("You already hold it: it is in My codes"))]
            )
    return held


def offer_card(offer) -> dict:
    facts = [
        (_("Discount"), discount_label(offer)),
        (_("Minimum order"), rupees(offer.min_order)),
        (_("Maximum discount"), rupees(offer.max_discount)),
        (_("Cashback"), offer_cashback_label(offer)),
        (_("Ends"), shown_day(offer.ends_at)),
    ]
    if offer.kind == OfferKind.UNIQUE_CODE and not getattr(offer, "claimable", False):
        facts.append((_("Codes"), _("No codes left to hand out right now")))
    return card(
        "offer",
        ref=offer.public_id,
        title=without_code(offer.title, offer.code),
        subtitle=offer.merchant.name,
        image=merchant_logo(offer.merchant),
        facts=facts,
        url=offer_url(offer),
        actions=offer_actions(offer),
    )


def store_card(merchant) -> dict:
    url = reverse("merchant_detail", args=[merchant.slug])
    return card(
        "store",
        ref=merchant.slug,
        title=merchant.name,
        subtitle=merchant_cashback_label(merchant),
        image=merchant_logo(merchant),
        facts=[(_("Live offers"), str(merchant.live_offer_count))],
        url=url,
        actions=[action(_("See offers"), url)],
    )


# --- Locker and marketplace -----------------------------------------------------------------


def coupon_card(coupon) -> dict:
    """One of the shopper's own locker coupons; its code stays on its locker page."""
    url = reverse("marketplace:locker-coupon", args=[coupon.public_id])
    actions = [action(_("Open in locker"), url)]
    if coupon.status == "active" and coupon.worth is not None:
        actions.append(
            action(_("Sell it"), reverse("marketplace:listing-new", args=[coupon.public_id]))
        )
    return card(
        "coupon",
        ref=coupon.public_id,
        title=without_code(coupon_title_of(coupon), coupon.code),
        subtitle=coupon.get_status_display(),
        image=merchant_logo(coupon.merchant),
        facts=[
            (_("Worth up to"), rupees(coupon.worth)),
            (_("Minimum order"), rupees(coupon.min_order)),
            (_("Expires"), shown_day(coupon.expires_on)),
        ],
        url=url,
        actions=actions,
    )


def listing_card(listing, *, user) -> dict:
    """A live listing for `user`: buy and swap buttons only on someone else's (the
    marketplace refuses both on one's own listing, so theirs just opens it)."""
    url = reverse("marketplace:listing", args=[listing.public_id])
    own = listing.seller_id == user.pk
    if own:
        actions = [action(_("Open your listing"), url)]
    else:
        actions = [action(_("View and buy"), url)]
        if listing.swap_welcome:
            actions.append(
                action(_("Offer a swap"), reverse("marketplace:swap-new", args=[listing.public_id]))
            )
    return card(
        "listing",
        ref=listing.public_id,
        title=listing.display_title,
        subtitle=_("Your listing") if own else _("Verified") if listing.verified else "",
        # The browse query loads the store's name and slug only: no logo per row.
        facts=[
            (_("Price"), rupees(listing.price)),
            (_("Worth up to"), rupees(listing.worth)),
            (_("Expires"), shown_day(listing.expires_on)),
        ],
        url=url,
        actions=actions,
    )


# --- Gift cards, orders, cashback, wallet ---------------------------------------------------


def first_in_stock(product):
    """The denomination "Add to cart" adds: the first sellable one with stock, or None."""
    return next((variant for variant in product.sellable_variants if variant.stock > 0), None)


def gift_card_card(product) -> dict:
    url = reverse("commerce:gift-card", args=[product.slug])
    images = list(product.images.all())
    variant = first_in_stock(product)
    actions = []
    if variant is not None:
        actions.append(
            action(
                _("Add to cart"),
                url,
                method="post",
                fields={"sku": variant.sku, "quantity": variant.min_quantity},
            )
        )
    denominations = ", ".join(
        _("%(face)s for %(price)s")
        % {"face": format_inr(option.face_value), "price": format_inr(option.price)}
        for option in product.sellable_variants[:4]
    )
    return card(
        "gift_card",
        ref=product.slug,
        title=product.name,
        subtitle=product.merchant.name,
        image=images[0].image.url if images else merchant_logo(product.merchant),
        facts=[
            (_("Amounts"), denominations),
            (_("Stock"), "" if variant else _("Out of stock")),
        ],
        url=url,
        actions=actions,
    )


def cashback_card(event) -> dict:
    url = f"{reverse('wallet')}?tab=cashback#cashback-{event.public_id}"
    store = event.merchant.name if event.merchant_id else _("Store")
    return card(
        "cashback",
        ref=event.public_id,
        title=_("%(amount)s at %(store)s") % {"amount": format_inr(event.cashback), "store": store},
        subtitle=event.get_status_display(),
        image=merchant_logo(event.merchant),
        facts=[
            (_("Order amount"), rupees(event.sale_amount)),
            (_("Shopped on"), shown_day(event.occurred_at)),
            *cashback_outcome(event),
        ],
        url=url,
        actions=[action(_("Open wallet"), url)],
    )


def cashback_outcome(event) -> list[tuple[str, str]]:
    """Where the cashback stands, as the wallet page says it: a pending one when it is likely
    to be confirmed (the range learned from its store's or network's history, else the single
    date it was reported with); a confirmed one says when, a declined one that it was declined
    (and when, if the store took it back after confirming it)."""
    if event.status == CashbackStatus.PENDING:
        arrival = getattr(event, "expected_arrival", None)
        if arrival is not None:
            return cashback_arrival(arrival, event)
        if event.expected_confirmation:
            return [(_("Expected by"), shown_day(event.expected_confirmation))]
        return [(_("Expected"), _("Confirms when the store's return window closes"))]
    if event.status == CashbackStatus.CONFIRMED:
        return [(_("Confirmed on"), shown_day(event.confirmed_at))]
    if event.reversed_at:
        reversed_on = _(
            "Reversed by the store on %(date)s (a return or cancellation): the cashback was "
            "taken back"
        ) % {"date": shown_day(event.reversed_at)}
        return [(_("Declined"), reversed_on)]
    return [(_("Declined"), _("Declined by the store, usually for a cancelled or returned order"))]


def cashback_arrival(arrival, event) -> list[tuple[str, str]]:
    """A learned range in the wallet tracker's words (wallet/_arrival.html, same messages):
    its two dates and the share of the store's (or network's) cashback confirmed by the end;
    once past the end, that it is taking longer than usual."""
    store = event.merchant.name if event.merchant_id else _("this store")
    if arrival.late:
        if arrival.from_network:
            late = ngettext(
                "Taking longer than usual: most cashback through %(network)s is confirmed "
                "within %(days)s day",
                "Taking longer than usual: most cashback through %(network)s is confirmed "
                "within %(days)s days",
                arrival.days,
            )
        else:
            late = ngettext(
                "Taking longer than usual: most of %(store)s's cashback is confirmed within "
                "%(days)s day",
                "Taking longer than usual: most of %(store)s's cashback is confirmed within "
                "%(days)s days",
                arrival.days,
            )
        words = {"network": arrival.network, "store": store, "days": arrival.days}
        return [(_("Expected"), late % words)]
    shown = "MONTH_DAY_FORMAT" if arrival.this_year else "DATE_FORMAT"
    if arrival.from_network:
        share = _(
            "%(share)s%% of cashback through %(network)s, the network that tracks this store, "
            "is confirmed by then"
        ) % {"share": arrival.share, "network": arrival.network}
    else:
        share = _("%(share)s%% of %(store)s's cashback is confirmed by then") % {
            "share": arrival.share,
            "store": store,
        }
    between = _("Likely %(start)s – %(end)s") % {  # noqa: RUF001 (the tracker's en dash)
        "start": date_format(arrival.start, shown),
        "end": date_format(arrival.end, shown),
    }
    return [(_("Expected"), between), (_("How sure"), share)]


def order_card(order) -> dict:
    url = reverse("commerce:order", args=[order.number])
    items = ", ".join(
        _("%(name)s, quantity %(quantity)d")
        % {"name": line.product_name, "quantity": line.quantity}
        for line in order.lines.all()
    )
    return card(
        "order",
        ref=order.number,
        title=_("Order %(number)s") % {"number": order.number},
        subtitle=order.get_status_display(),
        facts=[
            (_("Total"), rupees(order.total)),
            (_("Gift cards"), items),
            (_("Placed"), shown_day(order.created_at)),
        ],
        url=url,
        actions=[action(_("View order"), url)],
    )


def wallet_card(summary) -> dict:
    url = reverse("wallet")
    return card(
        "wallet",
        ref="wallet",
        title=_("Your wallet"),
        subtitle=_("%(amount)s available") % {"amount": format_inr(summary.available)},
        # The subtitle says what is available; the rows say the rest.
        facts=[
            (_("Pending"), format_inr(summary.pending)),
            (_("Held"), format_inr(summary.held)),
            (_("Earned so far"), format_inr(summary.lifetime_earned)),
            (_("Owed"), rupees(summary.owed) if summary.owed else ""),
        ],
        url=url,
        actions=[action(_("Open wallet"), url)],
    )
