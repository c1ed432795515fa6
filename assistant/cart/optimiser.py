"""The net-price optimiser: the ranked ways to pay for one cart at one store.

A pure function over plain values (no database): `cart_options(cart, candidates, today=...)`.
Candidates are the shopper's locker coupons, the store's live codes and deals, marketplace
listings, the store's gift cards and its cashback, already read by `candidates.py`.

The rules, and why:
- At most one coupon per order (locker coupon, offer or listing): stores take one code, and a
  deal stacked on a code is refused by most carts, so we never promise a stack.
- A deal (an offer without a code: a link to the store's sale) is already in the prices the
  shopper gives us, so it takes nothing off the cart: it is left out with that reason (shopping
  through it still earns the store's cashback, which every option counts). The discounts are the
  coupons with codes: store codes, claimable codes, locker coupons and listings.
- A coupon limited to categories covers only the items known to be in them: an item without a
  category (the shopper gave an amount only) is not covered, and the reason names the categories
  so the shopper can say what the items are. One exception, marked by `covers_unknown`: at a
  store selling only one department (AJIO: fashion), a coupon for that whole department covers
  every item, known or not (`candidates.py` decides).
- A coupon's discount is computed by offers' one discount rule (`offer_discount`) on the
  subtotal of the items it covers (its categories, minus its exclusions); its minimum order is
  checked on that subtotal, its maximum discount caps it.
- A listing's price is paid now, to the seller: it counts against the saving, and a listing
  that costs as much as it saves is not an option.
- The after-coupon amount may be paid partly with the store's gift cards bought below face
  value, in whole denominations whose face values add up to no more than the amount (one
  denomination, as many as stock and the per-order limit allow, and no fewer than the least
  one order may buy: the cart refuses fewer).
- The store's cashback is earned on what the store charges (the after-coupon amount) and
  confirmed `confirmation_days` later.
- Every figure is a Decimal quantized to paise (ROUND_HALF_UP); no total goes below zero.

Options are ranked by `net` (paid now minus cashback to come), then by `pay_now`.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coupzii.core.money import PAISE, ZERO, format_inr, quantize
from offers.selectors import offer_discount

HUNDRED = Decimal("100")

COUPON_SOURCES = frozenset({"locker", "offer", "listing"})
COUPON_BENEFITS = frozenset({"percent", "flat", "bogo", "free_shipping"})
CASHBACK_BENEFITS = frozenset({"cashback_percent", "cashback_flat"})

# Our benefit names -> offers' DiscountType values, so offers' rule computes the discount.
_DISCOUNT_TYPES = {
    "percent": "percentage",
    "flat": "fixed",
    "bogo": "bogo",
    "free_shipping": "free_shipping",
}


class Reason:
    """Stable codes for why a candidate is not in any option (clients switch on these)."""

    OTHER_STORE = "other_store"
    EXPIRED = "expired"
    CATEGORY_EXCLUDED = "category_excluded"
    MIN_ORDER_NOT_MET = "min_order_not_met"
    NO_AMOUNT = "no_amount"
    COSTS_MORE_THAN_IT_SAVES = "costs_more_than_it_saves"
    NO_SAVING = "no_saving"
    OUT_OF_STOCK = "out_of_stock"
    DENOMINATION_TOO_LARGE = "denomination_too_large"
    NO_CASHBACK = "no_cashback"
    DEAL_IN_PRICES = "deal_in_prices"


@dataclass(frozen=True)
class CartItem:
    name: str
    category: str  # a category slug, or "" when unknown
    unit_price: Decimal
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


@dataclass(frozen=True)
class Cart:
    store: str  # the merchant's slug
    items: tuple[CartItem, ...]

    @property
    def subtotal(self) -> Decimal:
        return quantize(sum((item.line_total for item in self.items), ZERO))


@dataclass(frozen=True)
class Candidate:
    """One thing that may lower the price. `ref` is an opaque public id, slug or sku.

    `categories` are the category slugs it applies to (empty: every item), `excluded` those it
    never applies to; `covers_unknown` lets a category-limited coupon cover items whose category
    is unknown (the store sells nothing else). `deal` marks an offer without a code (the store's
    sale, already in its prices). A listing's `cost` is its price. A gift card carries `face_value`,
    `price`, `stock` (how many one order may buy), `min_quantity` (the fewest it may buy) and
    its `product` slug (its page).
    Cashback carries `confirmation_days`. `claim` marks a unique-code offer, whose code the
    shopper claims before shopping.
    """

    ref: str
    source: str  # locker | offer | listing | gift_card | cashback
    title: str
    # percent | flat | bogo | free_shipping | gift_card | cashback_percent | cashback_flat
    benefit: str
    store: str = ""
    value: Decimal | None = None
    min_order: Decimal | None = None
    max_discount: Decimal | None = None
    categories: frozenset = frozenset()
    excluded: frozenset = frozenset()
    expires_on: date | None = None
    cost: Decimal = ZERO
    face_value: Decimal | None = None
    price: Decimal | None = None
    stock: int = 0
    min_quantity: int = 1
    confirmation_days: int = 0
    needs_code: bool = False
    claim: bool = False
    product: str = ""
    deal: bool = False
    covers_unknown: bool = False

    @property
    def is_coupon(self) -> bool:
        return self.source in COUPON_SOURCES


@dataclass(frozen=True)
class GiftCardPlan:
    card: Candidate
    quantity: int
    face_total: Decimal
    price_total: Decimal

    @property
    def saving(self) -> Decimal:
        return self.face_total - self.price_total


@dataclass(frozen=True)
class PayOption:
    coupon: Candidate | None
    gift_card: GiftCardPlan | None
    cashback: Candidate | None
    subtotal: Decimal
    discount: Decimal  # what the coupon takes off the store's bill
    coupon_cost: Decimal  # a listing's price
    gift_card_saving: Decimal
    pay_now: Decimal  # store bill + listing price - gift-card saving
    saving: Decimal  # subtotal - pay_now
    cashback_amount: Decimal
    cashback_by: date | None
    net: Decimal  # pay_now - cashback_amount

    @property
    def store_amount(self) -> Decimal:
        """What the store charges for the order (after the coupon)."""
        return self.subtotal - self.discount

    @property
    def is_full_price(self) -> bool:
        return self.coupon is None and self.gift_card is None


@dataclass(frozen=True)
class Rejected:
    candidate: Candidate
    reason_code: str
    reason: str


@dataclass(frozen=True)
class CartAnalysis:
    cart: Cart
    options: tuple[PayOption, ...]  # best first, at most `limit`
    full_price: PayOption  # paying the store's price, with its cashback
    rejected: tuple[Rejected, ...] = field(default_factory=tuple)

    @property
    def best(self) -> PayOption:
        return self.options[0] if self.options else self.full_price


@dataclass(frozen=True)
class _Terms:
    """A coupon's terms in the shape offers' discount rule reads."""

    discount_type: str
    discount_value: Decimal | None
    min_order: Decimal | None
    max_discount: Decimal | None


def _slug(slug: str) -> str:
    """Without the caller's names (the benchmark, plain tests) a reason shows the slug."""
    return slug


def cart_options(
    cart: Cart,
    candidates: list[Candidate] | tuple[Candidate, ...],
    *,
    today: date,
    limit: int = 5,
    category_name: Callable[[str], str] = _slug,
) -> CartAnalysis:
    """The ranked ways to pay for `cart`, the "pay full price" option, and why the candidates
    in no option were left out. Pure: reads nothing but its arguments. `category_name` turns
    a category slug into the name a reason shows (the caller reads the names)."""
    subtotal = cart.subtotal
    by_category = _category_totals(cart)
    rejected: list[Rejected] = []
    coupons: list[tuple[Candidate, Decimal]] = []
    gift_cards: list[Candidate] = []
    cashbacks: list[Candidate] = []
    for candidate in candidates:
        refusal = _refusal(candidate, cart, today)
        if refusal is not None:
            rejected.append(refusal)
        elif candidate.is_coupon:
            discount, refusal = _coupon_discount(candidate, by_category, category_name)
            if refusal is not None:
                rejected.append(refusal)
            else:
                coupons.append((candidate, discount))
        elif candidate.source == "gift_card":
            refusal = _gift_card_refusal(candidate)
            if refusal is not None:
                rejected.append(refusal)
            else:
                gift_cards.append(candidate)
        else:
            cashbacks.append(candidate)

    cashback_by_amount: dict[Decimal, Candidate | None] = {}

    def cashback_at(amount: Decimal) -> Candidate | None:
        if amount not in cashback_by_amount:
            cashback_by_amount[amount] = _best_cashback(cashbacks, amount)
        return cashback_by_amount[amount]

    full_price = _option(subtotal, None, ZERO, None, cashback_at(subtotal), today)
    plain = [full_price]
    for coupon, discount in coupons:
        cashback = cashback_at(subtotal - discount)
        plain.append(_option(subtotal, coupon, discount, None, cashback, today))
    options = _ranked(plain, gift_cards, max(limit, 1), cashback_at, today)

    earning = {option.cashback.ref for option in options if option.cashback}
    rejected.extend(
        Rejected(other, Reason.NO_CASHBACK, _("Another cashback rate of the store pays more."))
        for other in cashbacks
        if other.ref not in earning
    )

    used_cards = {option.gift_card.card.ref for option in options if option.gift_card}
    rejected.extend(
        Rejected(card, Reason.DENOMINATION_TOO_LARGE, _denomination_reason(card, subtotal))
        for card in gift_cards
        if card.ref not in used_cards
    )
    # Deals last: a store has many sales, and the reasons a shopper reads first are about the
    # coupons that could have taken money off.
    rejected.sort(key=lambda each: each.reason_code == Reason.DEAL_IN_PRICES)
    return CartAnalysis(
        cart=cart,
        options=tuple(options[: max(limit, 1)]),
        full_price=full_price,
        rejected=tuple(rejected),
    )


def _ranked(plain: list[PayOption], gift_cards: list[Candidate], keep: int, cashback_at, today):
    """The options without a gift card and, for those that can reach the best `keep`, with the
    best gift-card plan, sorted best first.

    Working out a gift-card plan for each of 200 coupons is most of the optimiser's time, and
    most of them can't reach the top: a plan takes off at most the best card's discount rate
    times the store amount. So options are visited by that lower bound on their net price and
    the visit stops once `keep` options are strictly better than the next bound (exact: a
    skipped option can't tie or beat them).
    """

    def rank_key(option: PayOption) -> tuple:
        return (option.net, option.pay_now)

    if not gift_cards:
        return sorted(plain, key=rank_key)
    best_rate = max((card.face_value - card.price) / card.face_value for card in gift_cards)
    # Nor more than the most one denomination's stock can save, whatever the amount.
    most = max((card.face_value - card.price) * card.stock for card in gift_cards)

    def bound(option: PayOption) -> Decimal:
        # A paisa lower still: the rate is a rounded division.
        return option.net - min(best_rate * option.store_amount, most) - PAISE

    ranked: list[PayOption] = []
    worst_kept: list[tuple] = []  # a max-heap of the `keep` best (net, pay_now), negated
    for option in sorted(plain, key=bound):
        if len(worst_kept) >= keep and -worst_kept[0][0] < bound(option):
            break
        found = [option]
        plan = _gift_card_plan(gift_cards, option.store_amount)
        if plan is not None:
            cashback = cashback_at(option.store_amount)
            found.append(
                _option(option.subtotal, option.coupon, option.discount, plan, cashback, today)
            )
        for each in found:
            ranked.append(each)
            heapq.heappush(worst_kept, (-each.net, -each.pay_now, len(ranked)))
            if len(worst_kept) > keep:
                heapq.heappop(worst_kept)
    return sorted(ranked, key=rank_key)


def coupon_discount(candidate: Candidate, cart: Cart) -> Decimal | None:
    """What one coupon alone takes off `cart` (None when it does not apply): the figure the
    tests compare the best option with."""
    discount, refusal = _coupon_discount(candidate, _category_totals(cart))
    return None if refusal else discount


# --- Coupons ---------------------------------------------------------------------------------


def _category_totals(cart: Cart) -> dict[str, Decimal]:
    # Summed once per cart, so each of 200 candidates costs a handful of additions.
    totals: dict[str, Decimal] = {}
    for item in cart.items:
        totals[item.category] = totals.get(item.category, ZERO) + item.line_total
    return totals


def _refusal(candidate: Candidate, cart: Cart, today: date) -> Rejected | None:
    if candidate.store and candidate.store != cart.store:
        return Rejected(candidate, Reason.OTHER_STORE, _("It is for another store."))
    if candidate.expires_on is not None and candidate.expires_on < today:
        return Rejected(
            candidate,
            Reason.EXPIRED,
            _("It expired on %(date)s.") % {"date": date_format(candidate.expires_on)},
        )
    return None


def _covers(candidate: Candidate, category: str) -> bool:
    if category in candidate.excluded:
        return False
    if not candidate.categories:
        return True
    if not category:
        # An item of unknown category is in no category the coupon is limited to, unless the
        # store sells nothing but what the coupon covers.
        return candidate.covers_unknown
    return category in candidate.categories


def _eligible_subtotal(candidate: Candidate, by_category: dict[str, Decimal]) -> Decimal:
    return sum(
        (total for category, total in by_category.items() if _covers(candidate, category)),
        ZERO,
    )


def _coupon_discount(
    candidate: Candidate,
    by_category: dict[str, Decimal],
    category_name: Callable[[str], str] = _slug,
) -> tuple[Decimal, Rejected | None]:
    if candidate.deal:
        return ZERO, Rejected(
            candidate,
            Reason.DEAL_IN_PRICES,
            _(
                "It is the store's sale: its prices are already the ones you gave, so it takes "
                "nothing more off; shopping through it still earns the cashback."
            ),
        )
    eligible = _eligible_subtotal(candidate, by_category)
    if eligible <= ZERO:
        return ZERO, Rejected(
            candidate,
            Reason.CATEGORY_EXCLUDED,
            _category_reason(candidate, by_category, category_name),
        )
    terms = _Terms(
        discount_type=_DISCOUNT_TYPES.get(candidate.benefit, ""),
        discount_value=candidate.value,
        min_order=candidate.min_order,
        max_discount=candidate.max_discount,
    )
    quote = offer_discount(offer=terms, order_amount=eligible)
    if not quote.applies:
        return ZERO, Rejected(
            candidate,
            Reason.MIN_ORDER_NOT_MET,
            _("It needs an order of at least %(minimum)s; the items it covers come to %(order)s.")
            % {"minimum": format_inr(candidate.min_order), "order": format_inr(eligible)},
        )
    if quote.discount <= ZERO:
        return ZERO, Rejected(
            candidate,
            Reason.NO_AMOUNT,
            _("The store gives this at checkout; it has no rupee value to compare."),
        )
    if candidate.cost >= quote.discount:
        return ZERO, Rejected(
            candidate,
            Reason.COSTS_MORE_THAN_IT_SAVES,
            _("It costs %(cost)s and saves only %(discount)s on this cart.")
            % {"cost": format_inr(candidate.cost), "discount": format_inr(quote.discount)},
        )
    return quote.discount, None


def _category_reason(candidate, by_category, category_name) -> str:
    """Why no item is covered; for a coupon limited to categories, which ones, so the shopper
    can say what the items are."""
    if not candidate.categories:
        return _("No item in the cart is in a category it covers.")
    names = ", ".join(sorted(category_name(slug) for slug in candidate.categories))
    if "" in by_category:
        return _("It covers only some categories (%(categories)s); say what the items are.") % {
            "categories": names
        }
    return _("It covers only some categories (%(categories)s); no item in the cart is in them.") % {
        "categories": names
    }


# --- Gift cards --------------------------------------------------------------------------------


def _gift_card_refusal(card: Candidate) -> Rejected | None:
    if not card.face_value or card.price is None or card.price >= card.face_value:
        return Rejected(card, Reason.NO_SAVING, _("It is sold at its face value."))
    if card.stock <= 0 or card.stock < card.min_quantity:
        return Rejected(card, Reason.OUT_OF_STOCK, _("It is out of stock."))
    return None


def _gift_card_plan(cards: list[Candidate], amount: Decimal) -> GiftCardPlan | None:
    """The denomination that saves the most on `amount`, in whole cards whose face values add
    up to no more than the amount (a card's unspent balance would be money left at the store).
    Ties go to the cheaper rupee, then to fewer cards."""
    best = None
    best_key = None
    for card in cards:
        quantity = min(int(amount // card.face_value), card.stock)
        if quantity <= 0 or quantity < card.min_quantity:
            continue
        key = (-(card.face_value - card.price) * quantity, card.price / card.face_value, quantity)
        if best_key is None or key < best_key:
            best, best_key = (card, quantity), key
    if best is None:
        return None
    card, quantity = best
    return GiftCardPlan(
        card, quantity, quantize(card.face_value * quantity), quantize(card.price * quantity)
    )


def _denomination_reason(card: Candidate, subtotal: Decimal) -> str:
    if card.face_value > subtotal:
        return _("Its smallest card, %(face)s, is more than the order.") % {
            "face": format_inr(card.face_value)
        }
    if card.face_value * card.min_quantity > subtotal:
        return _("It is sold at least %(count)d at a time, %(total)s, more than the order.") % {
            "count": card.min_quantity,
            "total": format_inr(card.face_value * card.min_quantity),
        }
    return _("Another gift card of the store saves more.")


# --- Cashback and the option -------------------------------------------------------------------


def _cashback_on(candidate: Candidate, amount: Decimal) -> Decimal:
    if amount <= ZERO or not candidate.value or candidate.value <= ZERO:
        return ZERO
    if candidate.benefit == "cashback_percent":
        return quantize(amount * candidate.value / HUNDRED)
    # A flat cashback never pays more than the order cost.
    return min(quantize(candidate.value), amount)


def _best_cashback(cashbacks: list[Candidate], amount: Decimal) -> Candidate | None:
    paying = [candidate for candidate in cashbacks if _cashback_on(candidate, amount) > ZERO]
    if not paying:
        return None
    return max(paying, key=lambda candidate: _cashback_on(candidate, amount))


def _option(
    subtotal: Decimal,
    coupon: Candidate | None,
    discount: Decimal,
    plan: GiftCardPlan | None,
    cashback: Candidate | None,
    today: date,
) -> PayOption:
    store_amount = max(subtotal - discount, ZERO)
    coupon_cost = quantize(coupon.cost) if coupon is not None else ZERO
    gift_card_saving = plan.saving if plan is not None else ZERO
    pay_now = max(store_amount + coupon_cost - gift_card_saving, ZERO)
    cashback_amount = _cashback_on(cashback, store_amount) if cashback is not None else ZERO
    cashback_by = (
        today + timedelta(days=cashback.confirmation_days) if cashback_amount > ZERO else None
    )
    return PayOption(
        coupon=coupon,
        gift_card=plan,
        cashback=cashback if cashback_amount > ZERO else None,
        subtotal=subtotal,
        discount=discount,
        coupon_cost=coupon_cost,
        gift_card_saving=gift_card_saving,
        pay_now=pay_now,
        saving=subtotal - pay_now,
        cashback_amount=cashback_amount,
        cashback_by=cashback_by,
        net=max(pay_now - cashback_amount, ZERO),
    )
