"""Small helpers shared by the swap tests."""

from decimal import Decimal

from marketplace.swaps.services import exchange_request
from wallet.services import transaction_post, user_accounts


def ask(requester, listing, offered, cash="0", message=""):
    return exchange_request(
        requester=requester,
        wanted_public_id=listing.coupon.public_id,
        offered_public_id=offered.public_id,
        cash=Decimal(cash),
        message=message,
    )


def spend(user, amount: str) -> None:
    """Take `amount` out of the user's available balance (a test's stand-in for a purchase)."""
    from wallet.models import AccountKind
    from wallet.services import platform_account

    transaction_post(
        kind="welcome_bonus",
        idempotency_key=f"test-spend:{user.pk}:{amount}",
        legs=[
            (user_accounts(user)[AccountKind.AVAILABLE], -Decimal(amount)),
            (platform_account(AccountKind.PROMOTIONS), Decimal(amount)),
        ],
        reference_type="test",
        reference_id=str(user.pk),
    )
