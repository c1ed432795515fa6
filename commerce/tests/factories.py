"""Factories and helpers for the shop's tests: promo codes, a funded wallet, a filled cart."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from commerce.models import Cart, CartLine, PromoCode, PromoKind
from commerce.services.cart import cart_of_user
from wallet import ledger
from wallet.models import AccountKind, TransactionKind


class PromoCodeFactory(factory.django.DjangoModelFactory):
    """10% off, at most ₹100, live since yesterday, one use per shopper."""

    class Meta:
        model = PromoCode

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = PromoKind.PERCENT
    value = Decimal("10.00")
    max_discount = Decimal("100.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def wallet_credit(user, amount: str) -> None:
    """Put `amount` in the user's available balance, from promotions, as a bonus would."""
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    ledger.transaction_post(
        kind=TransactionKind.WELCOME_BONUS,
        idempotency_key=f"test-credit:{user.pk}:{amount}:{timezone.now().timestamp()}",
        legs=[
            (ledger.platform_account(AccountKind.PROMOTIONS), -Decimal(amount)),
            (available, Decimal(amount)),
        ],
        reference_type="test",
        reference_id=str(user.pk),
    )


def cart_with(user, *lines, promo=None, use_wallet=False) -> Cart:
    """The user's cart holding (variant, quantity) pairs."""
    cart = cart_of_user(user)
    for variant, quantity in lines:
        CartLine.objects.update_or_create(
            cart=cart, variant=variant, defaults={"quantity": quantity}
        )
    cart.promo_code = promo
    cart.use_wallet = use_wallet
    cart.save()
    return cart
