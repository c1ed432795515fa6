"""Reads of purchases, shared by the pages and the API: a shopper's purchases and sales, one
purchase for its buyer or seller, and its open gateway payment."""

from django.db.models import Q, QuerySet

from commerce.models import Payment, PaymentStatus

from .. import kinds
from ..models import Purchase, PurchaseStatus

# The listing's coupon gives the title its parts (in the viewer's language); the seller's code,
# terms and notes on it are never read for these pages.
RELATED = ("listing", "listing__merchant", "listing__coupon", "buyer", "seller", "buyer_coupon")
SELLERS_TEXT = ("listing__coupon__code", "listing__coupon__terms", "listing__coupon__notes")


def purchases_of(user, *, side: str = "bought") -> QuerySet[Purchase]:
    """The user's purchases ("bought") or sales ("sold"), newest first, each with its listing,
    store and coupon joined: one query for a page."""
    rows = Purchase.objects.select_related(*RELATED).defer(*SELLERS_TEXT)
    rows = rows.filter(seller=user) if side == "sold" else rows.filter(buyer=user)
    return rows.order_by("-created_at", "-pk")


def purchase_for(user, number: str) -> Purchase | None:
    """The purchase `number` if `user` is its buyer or seller, else None."""
    return (
        Purchase.objects.select_related(*RELATED)
        .defer(*SELLERS_TEXT)
        .filter(Q(buyer=user) | Q(seller=user), number=number)
        .first()
    )


def purchase_open_payment(purchase: Purchase) -> Payment | None:
    """The gateway order a card purchase awaiting payment is paid through."""
    return (
        Payment.objects.filter(
            payable_kind=kinds.PAYABLE,
            payable_ref=str(purchase.pk),
            status=PaymentStatus.CREATED,
        )
        .order_by("pk")
        .first()
    )


def purchase_gateway_orders(purchase: Purchase) -> set[str]:
    """The gateway order ids opened for the purchase."""
    return set(
        Payment.objects.filter(
            payable_kind=kinds.PAYABLE, payable_ref=str(purchase.pk)
        ).values_list("gateway_order_id", flat=True)
    )


def bought_in_window(coupon) -> bool:
    """Whether `coupon` came from a purchase still in its dispute window (paid or disputed):
    until it completes, the buyer may yet be refunded, so the coupon is not theirs to pass on."""
    return Purchase.objects.filter(
        buyer_coupon_id=coupon.pk, status__in=(PurchaseStatus.PAID, PurchaseStatus.DISPUTED)
    ).exists()
