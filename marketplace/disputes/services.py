"""Disputes: "the code did not work", from the buyer's report to an operator's decision, and
the money that follows.

    open       buyer, purchase PAID and inside its window -> purchase DISPUTED (the release
               task pays only PAID purchases, so the clock stops); the seller has 24 hours
    answer     seller -> ANSWERED (late answers are taken until an operator decides)
    overdue    beat: still OPEN after 24 hours -> ANSWERED without an answer; operators told
    decide     operator: refund (escrow -> buyer, gateway or wallet: purchases' refund) or
               release (escrow -> seller: purchases' release, forced inside the window)
    after      operator: a RELEASED purchase refunded in full to the buyer's wallet; the seller
    release    pays what their available balance covers, the platform fronts the rest from
               `marketplace:receivable` and the seller owes it (`SellerDebt`), recovered from
               their next payouts (purchases' release takes it first)

Races:
- A dispute filed as the window closes while the release task runs: both lock the purchase row
  first (`select_for_update`) and check its status under the lock, so exactly one of them acts:
  either the purchase is DISPUTED with the money still in escrow, or it is RELEASED and the
  dispute is refused. The buyer's moment of filing is when the request arrived: waiting for the
  lock does not make a dispute late.
- Two decisions of one dispute: the money moves under the purchase's lock (purchases' refund
  and release look at its status), the record under the dispute's; the second is refused.
- Decisions for one seller at once: the seller's user row is locked before their lost disputes
  are counted, so the third loss is always seen and suspends once.

Lock order: dispute row, purchase row, users' ledger accounts (pk order), the seller's user row.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import notification_send, operators_notify
from coupzii.core.errors import Forbidden
from coupzii.core.money import format_inr, quantize
from wallet.models import Transaction
from wallet.services import (
    Entry,
    platform_account,
    platform_balance,
    transactions_post,
    user_account_lock,
    user_accounts,
)

from .. import kinds
from ..errors import (
    DisputeAlreadyAnswered,
    DisputeAlreadyDecided,
    DisputeInvalid,
    DisputeNotAllowed,
    DisputeNotFound,
    PurchaseNotFound,
    PurchaseNotRefundable,
    RefundNotAllowed,
)
from ..models import (
    CouponStatus,
    Dispute,
    DisputeStatus,
    LockerCoupon,
    PaymentMethod,
    Purchase,
    PurchaseStatus,
    RefundTo,
    SellerDebt,
    Suspension,
)

ZERO = Decimal("0.00")
ANSWER_HOURS = 24
# Three disputes lost within 30 days suspend the seller from listing for 30 days.
LOSSES_FOR_SUSPENSION = 3
LOSS_WINDOW = timedelta(days=30)
SUSPENSION_LENGTH = timedelta(days=30)
SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
TEXT_MAX_LENGTH = 2000
REFUND = "refund"
RELEASE = "release"
OUTCOMES = (REFUND, RELEASE)
# The overdue sweep handles this many disputes a run (each in its own short transaction).
OVERDUE_BATCH = 500


# --- Buyer and seller -------------------------------------------------------------------------


@transaction.atomic
def dispute_open(*, buyer: User, number: str, note: str, screenshot=None) -> Dispute:
    """The buyer reports that the code did not work: the purchase must be theirs, PAID (not yet
    released or refunded) and inside its dispute window. The purchase becomes DISPUTED, which
    stops the release; the seller has 24 hours to answer. The seller and the operators are told.

    Raises PurchaseNotFound (not the buyer's), DisputeNotAllowed (not paid, already disputed,
    released or refunded, or the window is over) and DisputeInvalid (an empty or too long note,
    a screenshot that is not a picture or is over 5 MB).
    """
    filed_at = timezone.now()  # before the lock: waiting for it does not make the buyer late
    note = _checked_text(note, "note", _("Say what happened when you used the code."))
    _check_screenshot(screenshot)
    purchase = (
        Purchase.objects.select_for_update(of=("self",))
        .select_related("seller", "buyer")
        .filter(number=number, buyer=buyer)
        .first()
    )
    if purchase is None:
        raise PurchaseNotFound()
    _check_disputable(purchase, filed_at)
    purchase.status = PurchaseStatus.DISPUTED
    purchase.save(update_fields=["status", "updated_at"])
    dispute = Dispute(
        purchase=purchase, note=note, answer_due=filed_at + timedelta(hours=ANSWER_HOURS)
    )
    if screenshot:
        dispute.screenshot = screenshot
    dispute.save()
    _tell_opened(dispute)
    return dispute


def _check_disputable(purchase: Purchase, filed_at) -> None:
    if purchase.status == PurchaseStatus.DISPUTED:
        raise DisputeNotAllowed(_("You have already reported a problem with this purchase."))
    if purchase.status != PurchaseStatus.PAID:
        raise DisputeNotAllowed(
            _("This purchase can't be disputed: it is %(status)s.")
            % {"status": purchase.get_status_display().lower()}
        )
    if purchase.window_ends_at is None or filed_at >= purchase.window_ends_at:
        raise DisputeNotAllowed(
            _("The time to report a problem with this purchase is over: the seller has been paid.")
        )


@transaction.atomic
def dispute_answer(*, seller: User, public_id, answer: str) -> Dispute:
    """The seller answers the buyer's report. Allowed once, until an operator decides, also
    after the 24 hours (the overdue sweep marks an unanswered dispute ready to decide, and a
    late answer still reaches the operator). The buyer is told.

    Raises DisputeNotFound (not the seller's), DisputeAlreadyAnswered and DisputeInvalid.
    """
    answer = _checked_text(answer, "answer", _("Write your answer to the buyer."))
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("purchase", "purchase__buyer")
        .filter(public_id=public_id, purchase__seller=seller)
        .first()
    )
    if dispute is None:
        raise DisputeNotFound()
    if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.ANSWERED) or dispute.answered_at:
        raise DisputeAlreadyAnswered()
    dispute.answer = answer
    dispute.answered_at = timezone.now()
    dispute.status = DisputeStatus.ANSWERED
    dispute.save(update_fields=["answer", "answered_at", "status", "updated_at"])
    notification_send(
        user=dispute.purchase.buyer,
        kind=kinds.NOTICE_DISPUTE,
        title=lambda: (
            _("The seller answered your report on %(number)s") % {"number": dispute.purchase.number}
        ),
        body=gettext_lazy("An operator will now decide, usually within a working day."),
        link=_page(dispute),
    )
    return dispute


def disputes_overdue(*, batch: int = OVERDUE_BATCH) -> int:
    """Disputes still waiting for the seller after their 24 hours become ready to decide
    (ANSWERED, with no answer: `answered_at` stays empty, which is how pages and the admin say
    "the seller did not answer"). Each in its own short transaction; the buyer is told, and the
    operators once per run. Returns how many."""
    now = timezone.now()
    due = list(
        Dispute.objects.filter(status=DisputeStatus.OPEN, answer_due__lte=now)
        .order_by("answer_due")
        .values_list("pk", flat=True)[:batch]
    )
    disputes_settled_elsewhere(batch=batch)
    moved = sum(_overdue_one(pk, now) for pk in due)
    if moved:
        operators_notify(
            title=lambda: _("%(count)s marketplace disputes need a decision") % {"count": moved},
            body=gettext_lazy("The seller did not answer within 24 hours."),
            link=reverse("admin:marketplace_dispute_changelist"),
        )
    return moved


@transaction.atomic
def _overdue_one(pk: int, now) -> int:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("purchase", "purchase__buyer")
        .filter(pk=pk, status=DisputeStatus.OPEN, answer_due__lte=now)
        .first()
    )
    if dispute is None:  # answered meanwhile
        return 0
    dispute.status = DisputeStatus.ANSWERED
    dispute.answer = ""
    dispute.save(update_fields=["status", "answer", "updated_at"])
    notification_send(
        user=dispute.purchase.buyer,
        kind=kinds.NOTICE_DISPUTE,
        title=lambda: (
            _("The seller did not answer your report on %(number)s")
            % {"number": dispute.purchase.number}
        ),
        body=gettext_lazy("An operator will now decide, usually within a working day."),
        link=_page(dispute),
    )
    return 1


def disputes_settled_elsewhere(*, batch: int = OVERDUE_BATCH) -> int:
    """Undecided disputes whose purchase was refunded or released outside them (purchases'
    own refund, an operator in the purchases admin) are closed with that outcome, so neither
    party waits for a decision that can't come. No operator decided them, so they don't count
    as lost (see `_suspend_if_repeated`). Purchases may call it right after such a refund; the
    overdue sweep runs it too. Returns how many."""
    settled = list(
        Dispute.objects.filter(
            status__in=UNDECIDED,
            purchase__status__in=(PurchaseStatus.REFUNDED, PurchaseStatus.RELEASED),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(_settle_one(pk) for pk in settled)


@transaction.atomic
def _settle_one(pk: int) -> int:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("purchase", "purchase__buyer", "purchase__seller")
        .filter(pk=pk, status__in=UNDECIDED)
        .first()
    )
    if dispute is None:  # decided meanwhile
        return 0
    purchase = dispute.purchase
    if purchase.status == PurchaseStatus.REFUNDED:
        dispute.status = DisputeStatus.REFUNDED
        dispute.refund_to = RefundTo.WALLET if _refunded_to_wallet(purchase) else RefundTo.GATEWAY
    elif purchase.status == PurchaseStatus.RELEASED:
        dispute.status = DisputeStatus.RELEASED
    else:
        return 0
    dispute.decided_at = timezone.now()
    # No notices: whoever refunded or released the purchase told both sides already.
    dispute.save(update_fields=["status", "refund_to", "decided_at", "updated_at"])
    return 1


def _refunded_to_wallet(purchase: Purchase) -> bool:
    return (
        purchase.method == PaymentMethod.WALLET
        or Transaction.objects.filter(idempotency_key=_key(purchase, "refund")).exists()
    )


# --- Operators --------------------------------------------------------------------------------


def dispute_decide(
    *, operator: User, public_id, outcome: str, refund_to: str | None = None, note: str = ""
) -> Dispute:
    """An operator decides an open or answered dispute: `refund` the buyer (to the card or UPI
    through the gateway, or to the wallet: `refund_to`; a wallet purchase always goes back to
    the wallet) or `release` the money to the seller (paid now, even if the window would still
    be running). Both sides are told. A seller whose third dispute in 30 days is refunded is
    suspended from listing (see `_suspend_if_repeated`).

    Two steps, because purchases' refund and release are durable transactions of their own:
    first the money moves (under the purchase's row lock, by its status), then the dispute
    records the decision under its own row lock. A second decision finds the purchase refunded
    or released and the dispute decided, and is refused; a decision whose money moved but whose
    record was lost (a crash between the steps) is recorded when it is taken again.

    Raises Forbidden (not an operator), DisputeNotFound, DisputeAlreadyDecided, DisputeInvalid
    (unknown outcome or refund destination) and what purchases' refund raises.
    """
    _check_operator(operator)
    if outcome not in OUTCOMES:
        raise DisputeInvalid(fields={"outcome": [_("Choose refund or release.")]})
    if outcome == REFUND and refund_to not in RefundTo.values:
        raise DisputeInvalid(fields={"refund_to": [_("Choose the gateway or the wallet.")]})
    dispute = Dispute.objects.select_related("purchase").filter(public_id=public_id).first()
    if dispute is None:
        raise DisputeNotFound()
    if dispute.status not in UNDECIDED:
        raise DisputeAlreadyDecided()
    purchase = _move_money(dispute.purchase, outcome, refund_to, operator, note)
    return _record_decision(dispute.pk, purchase, outcome, refund_to, operator, note)


UNDECIDED = (DisputeStatus.OPEN, DisputeStatus.ANSWERED)
# The purchase's status once a decision's money has moved.
DONE = {REFUND: PurchaseStatus.REFUNDED, RELEASE: PurchaseStatus.RELEASED}


def _move_money(purchase: Purchase, outcome, refund_to, operator, note) -> Purchase:
    from ..purchases.services import purchase_refund, purchase_release

    if purchase.status == DONE[outcome]:
        return purchase  # moved already: only the record is missing
    if outcome == RELEASE:
        return purchase_release(purchase_id=purchase.pk, force=True)
    try:
        return purchase_refund(
            purchase_id=purchase.pk, to=refund_to, actor=operator, reason=note or ""
        )
    except PurchaseNotRefundable:
        raise DisputeAlreadyDecided() from None


@transaction.atomic
def _record_decision(pk, purchase, outcome, refund_to, operator, note) -> Dispute:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("purchase", "purchase__buyer", "purchase__seller")
        .get(pk=pk)
    )
    # The money went the other way (another operator's decision, or the purchase's own
    # refund), or this dispute is decided already.
    if dispute.status not in UNDECIDED or dispute.purchase.status != DONE[outcome]:
        raise DisputeAlreadyDecided()
    dispute.status = DisputeStatus.REFUNDED if outcome == REFUND else DisputeStatus.RELEASED
    if outcome == REFUND:
        by_card = refund_to == RefundTo.GATEWAY and purchase.method == PaymentMethod.RAZORPAY
        dispute.refund_to = RefundTo.GATEWAY if by_card else RefundTo.WALLET
    dispute.decided_by = operator
    dispute.decided_at = timezone.now()
    dispute.decision_note = (note or "").strip()[:TEXT_MAX_LENGTH]
    dispute.save(
        update_fields=[
            "status",
            "refund_to",
            "decided_by",
            "decided_at",
            "decision_note",
            "updated_at",
        ]
    )
    _tell_decided(dispute)
    if outcome == REFUND:
        _suspend_if_repeated(dispute.purchase.seller, dispute.decided_at)
    return dispute


@transaction.atomic
def purchase_refund_after_release(*, operator: User, number: str, note: str = "") -> Purchase:
    """An operator refunds a purchase whose seller has already been paid (a dispute decided for
    the seller and found wrong later, or a complaint after the window). The buyer gets the full
    price back in their wallet and the platform gives back its fee; the seller's available
    balance pays what it covers of their payout (CLAWED_BACK), the platform fronts the rest
    from `marketplace:receivable`, and the seller owes it (a `SellerDebt`, taken from their
    next payouts). The buyer's coupon leaves their locker; a dispute on it counts as lost.

    Raises Forbidden, PurchaseNotFound and RefundNotAllowed (not RELEASED).
    """
    _check_operator(operator)
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).filter(purchase__number=number).first()
    )
    purchase = (
        Purchase.objects.select_for_update(of=("self",))
        .select_related("buyer", "seller")
        .filter(number=number)
        .first()
    )
    if purchase is None:
        raise PurchaseNotFound(_("No such purchase."))
    if purchase.status != PurchaseStatus.RELEASED:
        raise RefundNotAllowed()
    if _passed_on(purchase):
        # Refunding now would pay the buyer twice: once by whoever took it from them.
        raise RefundNotAllowed(
            _("The buyer has already sold or swapped this coupon on, so it can't be refunded.")
        )
    now = timezone.now()
    owed = _refund_after_release_post(purchase, operator)
    if owed > 0:
        SellerDebt.objects.create(seller=purchase.seller, purchase=purchase, amount=owed)
    purchase.status = PurchaseStatus.REFUNDED
    purchase.refunded_at = now
    purchase.save(update_fields=["status", "refunded_at", "updated_at"])
    # The buyer no longer holds what they were refunded for: their coupon, any listing or swap
    # of it, and a re-keyed book code end here.
    from ..purchases.services import purchase_buyer_coupon_revoke

    purchase_buyer_coupon_revoke(purchase)
    note = (note or "").strip()[:TEXT_MAX_LENGTH]
    if dispute is not None:
        dispute.status = DisputeStatus.REFUNDED
        dispute.refund_to = RefundTo.WALLET
        dispute.decided_by = operator
        dispute.decided_at = now
        dispute.decision_note = note
        dispute.save(
            update_fields=[
                "status",
                "refund_to",
                "decided_by",
                "decided_at",
                "decision_note",
                "updated_at",
            ]
        )
    _tell_refunded_after_release(purchase, owed, note)
    if dispute is not None:
        _suspend_if_repeated(purchase.seller, now)
    return purchase


def _passed_on(purchase: Purchase) -> bool:
    """Whether the buyer's coupon has gone on to someone else (sold or swapped away)."""
    return LockerCoupon.objects.filter(
        pk=purchase.buyer_coupon_id, status__in=(CouponStatus.SOLD, CouponStatus.GONE)
    ).exists()


def _refund_after_release_post(purchase: Purchase, operator: User) -> Decimal:
    """Post the refund and the clawback in one batch; return what the seller still owes."""
    seller_available = user_account_lock(purchase.seller)
    payout = quantize(purchase.price - purchase.fee)
    taken = min(seller_available.balance, payout)
    receivable = platform_account(kinds.RECEIVABLE)
    buyer_available = _available(purchase.buyer)
    refund_legs = [(buyer_available, purchase.price), (receivable, -payout)]
    if purchase.fee > 0:
        refund_legs.append((platform_account(kinds.FEES), -purchase.fee))
    refund = _entry(
        purchase, kinds.REFUNDED_AFTER_RELEASE, "refund-after-release", refund_legs, operator
    )
    entries = [refund]
    if taken > 0:
        entries.append(
            _entry(
                purchase,
                kinds.CLAWED_BACK,
                "clawback",
                [(seller_available, -taken), (receivable, taken)],
                operator,
            )
        )
    transactions_post(entries)
    return quantize(payout - taken)


def receivable_problems():
    """`marketplace:receivable` must be below zero by exactly what sellers still owe (it fronted
    that much to refunded buyers and is paid back by their payouts). For the wallet's
    `ledger_problems` (reconcile_ledger), through `reconciliation_check_register`."""
    fronted = -platform_balance(kinds.RECEIVABLE)
    rows = SellerDebt.objects.values_list("amount", "recovered")
    owed = quantize(sum((amount - recovered for amount, recovered in rows), ZERO))
    if fronted != owed:
        yield (
            f"platform account {kinds.RECEIVABLE} has fronted {fronted} but sellers owe {owed} "
            "in outstanding marketplace debts"
        )


def seller_owes(seller: User) -> Decimal:
    """What the seller still owes from refunds after release."""
    rows = SellerDebt.objects.filter(seller=seller).values_list("amount", "recovered")
    return quantize(sum((amount - recovered for amount, recovered in rows), ZERO))


# --- Suspension -------------------------------------------------------------------------------


def _suspend_if_repeated(seller: User, now) -> Suspension | None:
    """The third dispute in 30 days refunded against this seller suspends them from listing
    for 30 days and withdraws their live listings. Counted under a lock of the seller's row, so
    two decisions at once can't each count two and both miss the third."""
    User.objects.select_for_update().filter(pk=seller.pk).values_list("pk", flat=True).first()
    losses = Dispute.objects.filter(
        purchase__seller=seller,
        status=DisputeStatus.REFUNDED,
        decided_by__isnull=False,  # an operator's decision, not a refund outside the dispute
        decided_at__gt=now - LOSS_WINDOW,
    ).count()
    if losses < LOSSES_FOR_SUSPENSION:
        return None
    if Suspension.objects.filter(user=seller, until__gt=now, lifted_at__isnull=True).exists():
        return None
    suspension = Suspension.objects.create(
        user=seller,
        until=now + SUSPENSION_LENGTH,
        reason=_("%(count)s disputes lost within 30 days") % {"count": losses},
    )
    _withdraw_live_listings(seller)
    notification_send(
        user=seller,
        kind=kinds.NOTICE_DISPUTE,
        title=gettext_lazy("Your selling is suspended for 30 days"),
        body=gettext_lazy(
            "Three of your sales were refunded after disputes within 30 days, so your "
            "listings have been withdrawn. You can list coupons again after the suspension."
        ),
        link=_link("marketplace:selling"),
    )
    return suspension


@transaction.atomic
def suspension_lift(*, operator: User, suspension_id: int) -> Suspension:
    """An operator ends a seller's suspension early; the seller may list again and is told.
    Lifting one already lifted or over changes nothing. Raises Forbidden."""
    _check_operator(operator)
    suspension = (
        Suspension.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=suspension_id)
    )
    now = timezone.now()
    if suspension.lifted_at is not None or suspension.until <= now:
        return suspension
    suspension.lifted_at = now
    suspension.save(update_fields=["lifted_at", "updated_at"])
    notification_send(
        user=suspension.user,
        kind=kinds.NOTICE_DISPUTE,
        title=gettext_lazy("You can list coupons again"),
        body=gettext_lazy("Coupzii has lifted the suspension of your selling."),
        link=_link("marketplace:selling"),
    )
    return suspension


def _withdraw_live_listings(seller: User) -> int:
    from ..listings.services import seller_listings_withdraw

    return seller_listings_withdraw(seller=seller)


# --- Helpers ----------------------------------------------------------------------------------


def _check_operator(user: User) -> None:
    if not (user and user.is_authenticated and user.is_staff):
        raise Forbidden(_("Only an operator can decide disputes."))


def _checked_text(text, field: str, empty_message) -> str:
    text = (text or "").strip()
    if not text:
        raise DisputeInvalid(fields={field: [str(empty_message)]})
    if len(text) > TEXT_MAX_LENGTH:
        raise DisputeInvalid(
            fields={field: [_("Keep it under %(max)s characters.") % {"max": TEXT_MAX_LENGTH}]}
        )
    return text


def _check_screenshot(screenshot) -> None:
    """A picture of at most 5 MB (forms and the API check too; this is for every caller)."""
    if not screenshot:
        return
    if screenshot.size > SCREENSHOT_MAX_BYTES:
        raise DisputeInvalid(fields={"screenshot": [_("The screenshot must be under 5 MB.")]})
    from PIL import Image

    try:
        screenshot.seek(0)
        Image.open(screenshot).verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DisputeInvalid(
            fields={"screenshot": [_("Upload a picture (PNG, JPEG, WebP or GIF).")]}
        ) from None
    finally:
        screenshot.seek(0)


def _available(user: User):
    return user_accounts(user)["available"]


def _key(purchase: Purchase, step: str) -> str:
    # The purchases area's key shape (market:<pk>:pay, :release, :debt, :refund).
    return f"market:{purchase.pk}:{step}"


def _entry(purchase: Purchase, kind: str, step: str, legs, actor) -> Entry:
    return Entry(
        kind=kind,
        idempotency_key=_key(purchase, step),
        legs=legs,
        reference_type=kinds.REFERENCE,
        reference_id=purchase.number,
        actor=actor,
    )


def _link(name: str, *args) -> str:
    """A page of another area for a notice; none when that area does not have it (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _page(dispute: Dispute) -> str:
    return reverse("marketplace:dispute", args=[dispute.public_id])


def _tell_opened(dispute: Dispute) -> None:
    purchase = dispute.purchase
    number = purchase.number
    notification_send(
        user=purchase.seller,
        kind=kinds.NOTICE_DISPUTE,
        title=lambda: _("The buyer reported a problem with %(number)s") % {"number": number},
        body=gettext_lazy(
            "The payout waits until this is settled. Answer within 24 hours: an operator "
            "decides after that."
        ),
        link=_page(dispute),
    )
    operators_notify(
        title=lambda: _("Marketplace dispute on %(number)s") % {"number": number},
        body=lambda: (
            _("%(price)s; the seller has until %(due)s to answer.")
            % {
                "price": format_inr(purchase.price),
                "due": timezone.localtime(dispute.answer_due).strftime("%d %b %H:%M"),
            }
        ),
        link=reverse("admin:marketplace_dispute_change", args=[dispute.pk]),
    )


# (buyer's title, seller's title) by outcome.
DECIDED_TITLES = {
    DisputeStatus.REFUNDED: (
        gettext_lazy("Your report on %(number)s: refunded"),
        gettext_lazy("The dispute on %(number)s was decided for the buyer"),
    ),
    DisputeStatus.RELEASED: (
        gettext_lazy("Your report on %(number)s was decided for the seller"),
        gettext_lazy("The dispute on %(number)s was decided for you"),
    ),
}


def _tell_decided(dispute: Dispute) -> None:
    purchase = dispute.purchase
    if dispute.status == DisputeStatus.REFUNDED:
        buyer_body = (
            gettext_lazy("The price is back in your Coupzii wallet.")
            if dispute.refund_to == RefundTo.WALLET
            else gettext_lazy("The price goes back to your card or UPI within 5-7 working days.")
        )
        seller_body = gettext_lazy("The buyer was refunded: there is no payout for this sale.")
    else:
        buyer_body = gettext_lazy("The seller has been paid.")
        seller_body = gettext_lazy("The payout is in your Coupzii wallet.")
    note = dispute.decision_note
    buyer_title, seller_title = DECIDED_TITLES[dispute.status]
    for user, title, body in (
        (purchase.buyer, buyer_title, buyer_body),
        (purchase.seller, seller_title, seller_body),
    ):
        notification_send(
            user=user,
            kind=kinds.NOTICE_DISPUTE,
            title=lambda title=title: str(title) % {"number": purchase.number},
            body=lambda body=body: f"{body} {note}".strip(),
            link=_page(dispute),
        )


def _tell_refunded_after_release(purchase: Purchase, owed: Decimal, note: str) -> None:
    number = purchase.number
    link = _link("marketplace:purchase", number)
    notification_send(
        user=purchase.buyer,
        kind=kinds.NOTICE_DISPUTE,
        title=lambda: _("%(number)s refunded") % {"number": number},
        body=lambda: (
            _("%(price)s is back in your Coupzii wallet.") % {"price": format_inr(purchase.price)}
            + (f" {note}" if note else "")
        ),
        link=link,
    )
    notification_send(
        user=purchase.seller,
        kind=kinds.NOTICE_DISPUTE,
        title=lambda: _("Your sale %(number)s was refunded to the buyer") % {"number": number},
        body=lambda: (
            (
                _(
                    "Its payout was taken back from your wallet; %(owed)s it did not cover "
                    "will be taken from your next payouts."
                )
                % {"owed": format_inr(owed)}
                if owed > 0
                else _("Its payout was taken back from your wallet.")
            )
            + (f" {note}" if note else "")
        ),
        link=link,
    )
