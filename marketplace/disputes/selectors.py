"""Reads for disputes: a dispute for one of its two parties, the purchase a buyer may dispute,
the screenshot's owner check, and the operators' queue."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User

from ..models import Dispute, DisputeStatus, Purchase, PurchaseStatus

# Operators who may handle disputes may see their screenshots.
SCREENSHOT_PERMISSION = "marketplace.view_dispute"


def _with_parties() -> QuerySet[Dispute]:
    # The listing's coupon and store give its title in the viewer's language.
    return Dispute.objects.select_related(
        "purchase",
        "purchase__listing",
        "purchase__listing__coupon",
        "purchase__listing__merchant",
        "purchase__buyer",
        "purchase__seller",
        "decided_by",
    ).defer(
        "purchase__listing__coupon__code",
        "purchase__listing__coupon__terms",
        "purchase__listing__coupon__notes",
    )


def dispute_for_party(*, user: User, public_id) -> Dispute | None:
    """The dispute if `user` is its buyer or seller; None for anyone else (pages answer 404)."""
    if not user.is_authenticated:
        return None
    return (
        _with_parties()
        .filter(Q(purchase__buyer=user) | Q(purchase__seller=user), public_id=public_id)
        .first()
    )


def disputes_of_party(*, user: User) -> QuerySet[Dispute]:
    """Disputes `user` filed as a buyer or that were filed on their sales, newest first."""
    if not user.is_authenticated:
        return Dispute.objects.none()
    return (
        _with_parties()
        .filter(Q(purchase__buyer=user) | Q(purchase__seller=user))
        .order_by("-created_at", "-pk")
    )


def dispute_screenshot(public_id) -> Dispute | None:
    """Any dispute, for its screenshot: the caller checks who may see it (buyer, seller, or an
    operator, with coupzii.core.files.private_file_response)."""
    return (
        Dispute.objects.filter(public_id=public_id)
        .select_related("purchase")
        .only("screenshot", "purchase__buyer_id", "purchase__seller_id")
        .first()
    )


def purchase_to_dispute(*, buyer: User, number: str) -> Purchase | None:
    """The buyer's purchase by number (with its dispute, if any), for the dispute form."""
    if not buyer.is_authenticated:
        return None
    return (
        Purchase.objects.select_related("listing", "listing__coupon", "listing__merchant", "seller")
        .defer("listing__coupon__code", "listing__coupon__terms", "listing__coupon__notes")
        .filter(number=number, buyer=buyer)
        .first()
    )


def dispute_of(purchase: Purchase) -> Dispute | None:
    return Dispute.objects.filter(purchase=purchase).first()


def may_dispute(purchase: Purchase, *, now=None) -> bool:
    """Whether the buyer can still report a problem (the service checks again under a lock)."""
    now = now or timezone.now()
    return (
        purchase.status == PurchaseStatus.PAID
        and purchase.window_ends_at is not None
        and now < purchase.window_ends_at
    )


def seller_answered(dispute: Dispute) -> bool:
    """False for a dispute the overdue sweep moved on without the seller's answer."""
    return dispute.answered_at is not None


def seller_did_not_answer(dispute: Dispute) -> bool:
    return (
        dispute.status != DisputeStatus.OPEN
        and dispute.answered_at is None
        and (dispute.answer_due <= (dispute.decided_at or timezone.now()))
    )


# The operators' queue: open and answered first, oldest first.
QUEUE_ORDER = (
    Case(
        When(status__in=(DisputeStatus.OPEN, DisputeStatus.ANSWERED), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc(),
    "created_at",
)


def disputes_queue() -> QuerySet[Dispute]:
    """The operators' queue (see QUEUE_ORDER), with both parties."""
    return _with_parties().order_by(*QUEUE_ORDER)
