"""Ratings: the buyer and the seller of a completed purchase rate each other, once each,
within 30 days of completion. `seller_reputation` (listings) reads the Rating table."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from .. import errors
from ..models import Purchase, PurchaseStatus, Rating

RATING_DAYS = 30


def rating_give(*, rater, number: str, stars: int, comment: str = "") -> Rating:
    """`rater` (the purchase's buyer or seller) rates the other side of purchase `number`.

    Raises PurchaseNotFound (not their purchase), RatingNotAllowed (not completed, more than
    30 days after completion, or already rated: the unique index settles a double submit),
    RatingInvalid (stars outside 1-5, a comment over 500 characters, by field).
    """
    _check(stars=stars, comment=comment)
    purchase = (
        Purchase.objects.filter(Q(buyer=rater) | Q(seller=rater), number=number)
        .only("pk", "buyer_id", "seller_id", "status", "released_at")
        .first()
    )
    if purchase is None:
        raise errors.PurchaseNotFound()
    if not rating_open(purchase):
        raise errors.RatingNotAllowed()
    ratee_id = purchase.seller_id if rater.pk == purchase.buyer_id else purchase.buyer_id
    try:
        with transaction.atomic():
            return Rating.objects.create(
                purchase=purchase,
                rater=rater,
                ratee_id=ratee_id,
                stars=stars,
                comment=(comment or "").strip(),
            )
    except IntegrityError:
        raise errors.RatingNotAllowed(gettext("You have already rated this purchase.")) from None


def rating_open(purchase: Purchase, *, now=None) -> bool:
    """Whether the purchase can be rated now: completed, and at most 30 days ago."""
    now = now or timezone.now()
    return (
        purchase.status == PurchaseStatus.RELEASED
        and purchase.released_at is not None
        and now <= purchase.released_at + timedelta(days=RATING_DAYS)
    )


def _check(*, stars, comment) -> None:
    fields = {}
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        fields["stars"] = [gettext("Give 1 to 5 stars.")]
    if len((comment or "").strip()) > 500:
        fields["comment"] = [gettext("At most 500 characters.")]
    if fields:
        raise errors.RatingInvalid(fields=fields)
