"""Reads for ratings: what a user gave on a purchase, and whether they may still rate it (the
purchase page shows a "Rate" link with these)."""

from ..models import Purchase, Rating
from .services import rating_open


def rating_by(user, purchase: Purchase) -> Rating | None:
    """The rating `user` gave on this purchase, if any."""
    return Rating.objects.filter(purchase=purchase, rater=user).first()


def rating_allowed(user, purchase: Purchase) -> bool:
    """Whether `user` (buyer or seller) may rate this purchase now."""
    if user.pk not in (purchase.buyer_id, purchase.seller_id) or not rating_open(purchase):
        return False
    return not Rating.objects.filter(purchase=purchase, rater=user).exists()
