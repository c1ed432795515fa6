"""Acting tools: each returns a card whose button posts to the page that does the action.

None of them changes anything. Each checks, through the apps' selectors, that the thing exists
and that this shopper may act on it, then answers with ONE "action" card saying exactly what
its button will do. The button is the page's own: claiming posts to the offer's claim view,
"Add to cart" to the gift card's page; selling and swapping open the marketplace's forms,
where the shopper sets the details and confirms. Nothing happens until the shopper clicks, so
a model talked into "claim ten codes" or "sell my coupon for ₹1" only ever shows a card.
"""

import uuid
from decimal import Decimal, InvalidOperation

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assistant.safety import quoted
from catalog import selectors as catalog_selectors
from coupzii.core.money import format_inr, quantize
from marketplace import selectors as marketplace_selectors
from marketplace.errors import CouponNotFound
from marketplace.models import CouponStatus
from offers import selectors as offer_selectors
from offers.models import Offer, OfferKind

from . import ToolContext, ToolResult
from .cards import (
    action,
    card,
    discount_label,
    merchant_logo,
    offer_url,
    rupees,
    shown_day,
    without_code,
)
from .define import error, ref, schema, tool


def action_result(data: dict, action_card: dict) -> ToolResult:
    """What every acting tool answers: the facts for the model, one card for the shopper, and
    the reminder that nothing has happened yet."""
    data = {**data, "done": False, "needs_click": True}
    return ToolResult(data=data, cards=[action_card])


# --- Claim a unique code --------------------------------------------------------------------


@tool(
    "claim_code",
    "Prepare claiming the shopper's own code for a unique-code offer (an offer ref from "
    "search_offers whose 'claimable' is true). Claims nothing: returns a card whose button "
    "the shopper presses to claim; the code then appears on their 'My codes' page.",
    schema({"offer": ref("The offer's ref (a UUID) from search_offers.")}, required=("offer",)),
    acts=True,
)
def claim_code(ctx: ToolContext, *, offer: str):
    try:
        found = offer_selectors.offer_by_public_id(offer)
    except Offer.DoesNotExist:
        return error(_("No such offer."))
    if not offer_selectors.offer_is_live(found, now=ctx.now):
        return error(_("This offer is not running now."))
    if found.kind != OfferKind.UNIQUE_CODE:
        return error(
            _("This offer has no codes to claim: its card's 'Get deal' button opens the store.")
        )
    if offer_selectors.offers_at_claim_limit(ctx.user, [found.public_id]):
        return error(
            _(
                "You already hold as many codes of this offer as one shopper may: they are in "
                "My codes."
            )
        )
    if not found.claimable:
        return error(_("No codes left to hand out right now"))
    claim = reverse("offer_claim", args=[found.public_id])
    action_card = card(
        "action",
        ref=found.public_id,
        title=_("Claim your code: %(offer)s") % {"offer": found.title},
        subtitle=found.merchant.name,
        image=merchant_logo(found.merchant),
        facts=[
            (_("Discount"), discount_label(found)),
            (_("Minimum order"), rupees(found.min_order)),
            (_("Ends"), shown_day(found.ends_at)),
            (_("What happens"), _("A code is saved to My codes, for you alone.")),
        ],
        url=offer_url(found),
        actions=[
            action(
                _("Claim code"),
                claim,
                method="post",
                # A fresh token: a double-clicked button claims once.
                fields={"idempotency_key": uuid.uuid4().hex},
            )
        ],
    )
    return action_result(
        {
            "action": "claim_code",
            "offer": str(found.public_id),
            "title": quoted(found.title),
            "store": found.merchant.name,
            "discount": discount_label(found),
        },
        action_card,
    )


# --- Add a gift card to the cart ------------------------------------------------------------


@tool(
    "add_gift_card",
    "Prepare adding a gift card to the shopper's cart: a sku from gift_cards and a quantity. "
    "Adds nothing: returns a card whose 'Add to cart' button the shopper presses.",
    schema(
        {
            "sku": ref("The amount's sku from gift_cards."),
            "quantity": {
                "type": "integer",
                "minimum": 1,
                "maximum": 99,
                "default": 1,
                "description": "How many cards (within the card's limits).",
            },
        },
        required=("sku",),
    ),
    acts=True,
)
def add_gift_card(ctx: ToolContext, *, sku: str, quantity: int):
    product = catalog_selectors.gift_cards_list().filter(variants__sku=sku).first()
    variants = product.sellable_variants if product else []
    variant = next((option for option in variants if option.sku == sku), None)
    if variant is None:
        return error(_("No gift card is sold with that sku."))
    if not variant.min_quantity <= quantity <= variant.max_quantity:
        return error(
            _("Choose a quantity from %(least)d to %(most)d.")
            % {"least": variant.min_quantity, "most": variant.max_quantity}
        )
    if variant.stock < quantity:
        return error(
            _("Only %(count)d left of this amount.") % {"count": variant.stock}
            if variant.stock
            else _("This amount is out of stock.")
        )
    total = quantize(variant.price * quantity)
    page = reverse("commerce:gift-card", args=[product.slug])
    action_card = card(
        "action",
        ref=variant.sku,
        title=_("Add to your cart: %(name)s %(amount)s")
        % {"name": product.name, "amount": format_inr(variant.face_value)},
        subtitle=product.merchant.name,
        image=merchant_logo(product.merchant),
        facts=[
            (_("Quantity"), str(quantity)),
            (_("Price each"), format_inr(variant.price)),
            (_("Total"), format_inr(total)),
        ],
        url=page,
        actions=[
            action(
                _("Add to cart"),
                page,
                method="post",
                fields={"sku": variant.sku, "quantity": quantity},
            )
        ],
    )
    return action_result(
        {
            "action": "add_gift_card",
            "gift_card": product.slug,
            "name": product.name,
            "sku": variant.sku,
            "quantity": quantity,
            "face_value": format_inr(variant.face_value),
            "price_each": format_inr(variant.price),
            "total": format_inr(total),
        },
        action_card,
    )


# --- Sell a locker coupon -------------------------------------------------------------------


def _price(value) -> Decimal | None:
    """A rupee amount the model sent (a JSON number), as Decimal; None when it is not one."""
    try:
        return quantize(Decimal(str(value)))
    except (InvalidOperation, ValueError, ArithmeticError):
        return None


@tool(
    "list_coupon",
    "Prepare selling one of the shopper's own locker coupons on the marketplace (a coupon ref "
    "from my_locker), optionally at a suggested price in rupees. Lists nothing: returns a card "
    "opening the sell page, where the shopper sets the price and confirms.",
    schema(
        {
            "coupon": ref("The coupon's ref (a UUID) from my_locker."),
            "price": {
                "type": ["number", "null"],
                "minimum": 1,
                "maximum": 100000,
                "default": None,
                "description": "A suggested price in rupees (at most what the coupon is worth).",
            },
        },
        required=("coupon",),
    ),
    acts=True,
)
def list_coupon(ctx: ToolContext, *, coupon: str, price: float | None):
    try:
        found = marketplace_selectors.coupon_of(ctx.user, coupon)
    except CouponNotFound:
        return error(_("No such coupon in your locker."))
    if found.status != CouponStatus.ACTIVE:
        return error(
            _("Only an active coupon can be sold; this one is %(status)s.")
            % {"status": found.get_status_display()}
        )
    if found.expires_on is not None and found.expires_on < timezone.localdate(ctx.now):
        return error(_("This coupon has expired."))
    if found.worth is None or found.worth <= 0:
        return error(
            _("Say what the coupon is worth on its locker page first: a listing needs it.")
        )
    suggested = _price(price) if price is not None else None
    if price is not None and (suggested is None or suggested > found.worth):
        return error(
            _("The price must be at most what the coupon is worth, %(worth)s.")
            % {"worth": format_inr(found.worth)}
        )
    title = without_code(marketplace_selectors.coupon_title_of(found), found.code)
    sell_page = reverse("marketplace:listing-new", args=[found.public_id])
    if suggested is not None:
        # The sell page opens at the shopper's own figure; they still confirm it there.
        sell_page += "?" + urlencode({"price": str(suggested)})
    action_card = card(
        "action",
        ref=found.public_id,
        title=_("Sell your coupon: %(title)s") % {"title": title},
        subtitle=(
            _("The sell page opens at this price; you confirm it there.")
            if suggested is not None
            else _("You set the price and confirm on the next page.")
        ),
        image=merchant_logo(found.merchant),
        facts=[
            (_("Worth up to"), format_inr(found.worth)),
            (_("Suggested price"), rupees(suggested)),
            (_("Expires"), shown_day(found.expires_on)),
        ],
        url=reverse("marketplace:locker-coupon", args=[found.public_id]),
        actions=[action(_("Open the sell page"), sell_page)],
    )
    return action_result(
        {
            "action": "list_coupon",
            "coupon": str(found.public_id),
            "title": quoted(title),
            "worth": format_inr(found.worth),
            "suggested_price": rupees(suggested),
        },
        action_card,
    )


# --- Offer a swap for a listed coupon -------------------------------------------------------


@tool(
    "start_swap",
    "Prepare offering a swap for a coupon another shopper lists on the marketplace (a "
    "listing ref from marketplace_listings). Sends nothing: returns a card opening the swap "
    "form, where the shopper picks one of their coupons to offer and confirms.",
    schema(
        {"coupon": ref("The listing's ref (a UUID) from marketplace_listings.")},
        required=("coupon",),
    ),
    acts=True,
)
def start_swap(ctx: ToolContext, *, coupon: str):
    try:
        public_id = uuid.UUID(coupon)
    except ValueError:
        return error(_("This coupon is not on offer for a swap."))
    listing = marketplace_selectors.swap_target(public_id)
    if listing is None:
        return error(_("This coupon is not on offer for a swap."))
    if listing.seller_id == ctx.user.pk:
        return error(_("This is your own coupon."))
    if not marketplace_selectors.listing_swappable(listing):
        return error(_("The store does not allow this coupon to be swapped."))
    title = without_code(listing.display_title, listing.coupon.code)
    swap_page = reverse("marketplace:swap-new", args=[listing.public_id])
    action_card = card(
        "action",
        ref=listing.public_id,
        title=_("Offer a swap for: %(title)s") % {"title": title},
        subtitle=_("You pick a coupon of yours and confirm on the next page."),
        facts=[
            (_("Price"), format_inr(listing.price)),
            (_("Worth up to"), format_inr(listing.worth)),
            (_("Expires"), shown_day(listing.expires_on)),
        ],
        url=reverse("marketplace:listing", args=[listing.public_id]),
        actions=[action(_("Open the swap form"), swap_page)],
    )
    return action_result(
        {
            "action": "start_swap",
            "listing": str(listing.public_id),
            "title": quoted(title),
            "price": format_inr(listing.price),
            "worth": format_inr(listing.worth),
        },
        action_card,
    )
