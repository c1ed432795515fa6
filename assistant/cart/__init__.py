"""The net-price optimiser and what it is fed: the ranked ways to pay for a cart.

- `cart_analyze(user=, store=, items=)`: checks the cart, reads the candidates for the shopper
  at the store (`candidates.py`) and ranks the ways to pay (`optimiser.py`, pure).
- `analysis_data(analysis)`: what the model sees: opaque refs, titles as quoted data, figures
  formatted with format_inr (so the guard finds every figure of an answer in it), reasons.
  Never a code.
- `analysis_cards(analysis)`: "pay_option" cards for the shopper, whose buttons go to the pages
  that already act (claim a code, buy a listing, add a gift card to the cart, shop the store).
"""

import uuid
from datetime import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assistant.safety import quoted
from assistant.tools.cards import action, card
from catalog import selectors as catalog_selectors
from catalog.models import Merchant
from coupzii.core.money import InvalidAmount, column_amount, fits_column, format_inr

from .candidates import candidates_for
from .errors import InvalidCart, UnknownStore
from .optimiser import Cart, CartAnalysis, CartItem, PayOption, Rejected, cart_options

MAX_ITEMS = 100
MAX_QUANTITY = 99
MAX_NAME_CHARS = 120
#: The model reads at most this many reasons (the cards and the API carry all of them).
DATA_REJECTED_MAX = 10


def cart_analyze(
    *, user, store: str, items: list[dict], now: datetime | None = None
) -> CartAnalysis:
    """The ranked ways for `user` to pay for `items` (dicts with name, category, price,
    quantity) at the store whose slug is `store`.

    Raises UnknownStore for a store that is not an active merchant, InvalidCart for items that
    are not 1 to 100 priced lines or whose total does not fit an amount.
    """
    now = now or timezone.now()
    cart = Cart(store=str(store or "").strip().lower(), items=_cart_items(items))
    if not fits_column(cart.subtotal):
        raise InvalidCart(_("The cart's total is beyond what Coupzii can price."))
    try:
        candidates = candidates_for(user=user, store_slug=cart.store, now=now)
    except Merchant.DoesNotExist as exc:
        # The default message: the store's name came from the client (or a model), and is
        # not echoed back into anything a model may read.
        raise UnknownStore() from exc
    return cart_options(
        cart, candidates, today=timezone.localdate(now), category_name=_category_namer()
    )


def _category_namer():
    """`name_of(slug)`: a category's name in the active language, for the reasons a shopper
    reads ("It covers only some categories (Fashion, Footwear)"). The names are read once,
    and only when a reason needs one."""
    names: dict[str, str] = {}

    def name_of(slug: str) -> str:
        if not names:
            for parent in catalog_selectors.categories_active():
                names[parent.slug] = parent.name
                for child in parent.children.all():
                    names[child.slug] = child.name
        return names.get(slug, slug)

    return name_of


def _cart_items(items) -> tuple[CartItem, ...]:
    if not isinstance(items, list | tuple) or not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidCart(
            ngettext("A cart has 1 to %(most)d item.", "A cart has 1 to %(most)d items.", MAX_ITEMS)
            % {"most": MAX_ITEMS},
            fields={"items": []},
        )
    return tuple(_cart_item(position, item) for position, item in enumerate(items, start=1))


def _cart_item(position: int, item) -> CartItem:
    if not isinstance(item, dict):
        raise InvalidCart(_("Item %(n)d is not a line of the cart.") % {"n": position})
    price = item.get("price")
    if isinstance(price, float):
        # A JSON number from a model's tool call: read as the text it was written as ("499.5"),
        # never computed with as a float.
        price = repr(price)
    try:
        price = column_amount(price)
    except InvalidAmount as exc:
        raise InvalidCart(
            _("Item %(n)d needs a price in rupees, such as 499.00.") % {"n": position}
        ) from exc
    if price <= 0:
        raise InvalidCart(_("Item %(n)d needs a price above zero.") % {"n": position})
    quantity = item.get("quantity", 1)
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidCart(_("Item %(n)d needs a whole quantity.") % {"n": position})
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidCart(
            _("Item %(n)d needs a quantity from 1 to %(most)d.")
            % {"n": position, "most": MAX_QUANTITY}
        )
    name = " ".join(str(item.get("name") or "").split())[:MAX_NAME_CHARS]
    # The model may say "Fashion" where a slug is "fashion": both mean the same category.
    category = slugify(str(item.get("category") or ""))[:80]
    return CartItem(
        name=name or _("Item %(n)d") % {"n": position},
        category=category,
        unit_price=price,
        quantity=quantity,
    )


# --- For the model -------------------------------------------------------------------------------


def analysis_data(analysis: CartAnalysis) -> dict:
    """The analysis as the model may read it: refs, quoted titles, formatted figures, reasons."""
    rejected = analysis.rejected
    data = {
        "store": analysis.cart.store,
        "subtotal": format_inr(analysis.cart.subtotal),
        "options": [
            {"rank": rank, **_option_data(option)}
            for rank, option in enumerate(analysis.options, start=1)
        ],
        "full_price": _option_data(analysis.full_price),
        "not_applicable": [_rejected_data(item) for item in rejected[:DATA_REJECTED_MAX]],
    }
    if len(rejected) > DATA_REJECTED_MAX:
        data["not_applicable_more"] = len(rejected) - DATA_REJECTED_MAX
    return data


def _option_data(option: PayOption) -> dict:
    coupon = option.coupon
    plan = option.gift_card
    return {
        "summary": option_summary(option),
        "coupon": (
            {"ref": coupon.ref, "source": coupon.source, "title": quoted(coupon.title)}
            if coupon
            else None
        ),
        "gift_card": (
            {
                "sku": plan.card.ref,
                "title": quoted(plan.card.title),
                "quantity": plan.quantity,
                "face_value": format_inr(plan.card.face_value),
                "face_total": format_inr(plan.face_total),
                "price_total": format_inr(plan.price_total),
            }
            if plan
            else None
        ),
        "store_price": format_inr(option.subtotal),
        "discount": format_inr(option.discount),
        "coupon_cost": format_inr(option.coupon_cost),
        "gift_card_saving": format_inr(option.gift_card_saving),
        "pay_now": format_inr(option.pay_now),
        "saving": format_inr(option.saving),
        "cashback": format_inr(option.cashback_amount),
        "cashback_by": option.cashback_by.isoformat() if option.cashback_by else None,
        "net_price": format_inr(option.net),
    }


def _rejected_data(rejected: Rejected) -> dict:
    return {
        "ref": rejected.candidate.ref,
        "source": rejected.candidate.source,
        "title": quoted(rejected.candidate.title),
        "reason_code": rejected.reason_code,
        "reason": rejected.reason,
    }


def option_summary(option: PayOption) -> str:
    """One line for people: how this option pays, in the active language."""
    parts = []
    if option.coupon is not None:
        parts.append(_COUPON_SUMMARY[option.coupon.source]())
    if option.gift_card is not None:
        parts.append(
            ngettext(
                "pay with %(quantity)d gift card of %(face)s",
                "pay with %(quantity)d gift cards of %(face)s",
                option.gift_card.quantity,
            )
            % {
                "quantity": option.gift_card.quantity,
                "face": format_inr(option.gift_card.card.face_value),
            }
        )
    if not parts:
        parts.append(_("pay the store's price"))
    if option.cashback_amount > 0:
        parts.append(
            _("get %(cashback)s cashback") % {"cashback": format_inr(option.cashback_amount)}
        )
    return "; ".join(str(part) for part in parts)


_COUPON_SUMMARY = {
    "locker": lambda: _("use a coupon from your locker"),
    "offer": lambda: _("use the store's offer"),
    "listing": lambda: _("buy a coupon on the marketplace"),
}


# --- For the shopper ------------------------------------------------------------------------------


def analysis_cards(analysis: CartAnalysis) -> list[dict]:
    """One "pay_option" card per ranked option, best first."""
    return [
        _option_card(analysis.cart, option, rank) for rank, option in enumerate(analysis.options, 1)
    ]


def _option_card(cart: Cart, option: PayOption, rank: int) -> dict:
    coupon, plan = option.coupon, option.gift_card
    facts = [
        (_("Store price"), format_inr(option.subtotal)),
        (_("Coupon discount"), _minus(option.discount)),
        (_("Coupon's price"), _plus(option.coupon_cost)),
        (_("Gift card saving"), _minus(option.gift_card_saving)),
        (_("Pay now"), format_inr(option.pay_now)),
        (_("You save"), format_inr(option.saving) if option.saving > 0 else ""),
        (_("Cashback"), _cashback_fact(option)),
        (_("Net price"), format_inr(option.net)),
    ]
    if coupon is not None:
        subtitle = coupon.title
    elif plan is not None:
        subtitle = plan.card.title
    else:
        subtitle = ""
    return card(
        "pay_option",
        ref=coupon.ref if coupon else (plan.card.ref if plan else "full_price"),
        title=(_("Best: pay %(amount)s") if rank == 1 else _("Option %(rank)d: pay %(amount)s"))
        % {"amount": format_inr(option.pay_now), "rank": rank},
        subtitle=subtitle,
        facts=facts,
        url=_coupon_page(coupon) if coupon else _store_page(cart),
        actions=_actions(cart, option),
    )


def _minus(amount: Decimal) -> str:
    return f"-{format_inr(amount)}" if amount > 0 else ""


def _plus(amount: Decimal) -> str:
    return f"+{format_inr(amount)}" if amount > 0 else ""


def _cashback_fact(option: PayOption) -> str:
    if option.cashback_amount <= 0:
        return ""
    return _("%(amount)s, confirmed by %(date)s") % {
        "amount": format_inr(option.cashback_amount),
        "date": date_format(option.cashback_by),
    }


def _store_page(cart: Cart) -> str:
    return reverse("merchant_detail", args=[cart.store])


def _coupon_page(coupon) -> str:
    if coupon.source == "listing":
        return reverse("marketplace:listing", args=[coupon.ref])
    if coupon.source == "locker":
        return reverse("marketplace:locker-coupon", args=[coupon.ref])
    return reverse("merchant_detail", args=[coupon.store]) + f"#offer-{coupon.ref}"


def _actions(cart: Cart, option: PayOption) -> list[dict]:
    """The steps in the order the shopper takes them; each is a page's own route."""
    actions = []
    coupon, plan = option.coupon, option.gift_card
    if coupon is not None and coupon.source == "listing":
        actions.append(
            action(
                _("Buy this coupon for %(price)s") % {"price": format_inr(coupon.cost)},
                reverse("marketplace:listing", args=[coupon.ref]),
            )
        )
    elif coupon is not None and coupon.source == "locker":
        actions.append(
            action(_("See the code"), reverse("marketplace:locker-coupon", args=[coupon.ref]))
        )
    elif coupon is not None and coupon.claim:
        actions.append(
            action(
                _("Claim code"),
                reverse("offer_claim", args=[coupon.ref]),
                method="post",
                # A fresh token per card: a double-clicked button claims once.
                fields={"idempotency_key": uuid.uuid4().hex},
            )
        )
    if plan is not None:
        actions.append(
            action(
                ngettext(
                    "Add %(quantity)d gift card to the cart",
                    "Add %(quantity)d gift cards to the cart",
                    plan.quantity,
                )
                % {"quantity": plan.quantity},
                reverse("commerce:gift-card", args=[plan.card.product]),
                method="post",
                fields={"sku": plan.card.ref, "quantity": plan.quantity},
            )
        )
    if coupon is not None and coupon.source == "offer" and not coupon.claim:
        actions.append(action(_("Shop with this offer"), reverse("offer_go", args=[coupon.ref])))
    else:
        actions.append(action(_("Go to the store"), _store_page(cart)))
    return actions
