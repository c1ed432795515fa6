"""What each brand tier may have: the one place the portal's limits live.

The areas read these (books: codes per book; till: API keys; webhooks: endpoints) instead of
keeping their own numbers, so a new tier or a changed limit is one edit here.
"""

from dataclasses import dataclass

from .models import Brand, Tier


@dataclass(frozen=True)
class TierLimits:
    codes_per_book: int
    api_keys: int
    webhooks: int


LIMITS: dict[str, TierLimits] = {
    Tier.BASIC: TierLimits(codes_per_book=100_000, api_keys=3, webhooks=2),
    Tier.PRO: TierLimits(codes_per_book=1_000_000, api_keys=25, webhooks=10),
}


def limits_for(brand: Brand) -> TierLimits:
    """The brand's limits; an unknown tier (a row written by hand) gets the basic ones."""
    return LIMITS.get(brand.tier, LIMITS[Tier.BASIC])
