"""Factories and helpers for the shop's tests: promo codes, a funded wallet, a filled cart."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import VoucherCode
from commerce.gateways import gateway
from commerce.models import Cart, CartLine, PromoCode, PromoKind
from commerce.services import payments
from commerce.services.cart import cart_of_user
from commerce.services.checkout import order_place
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


def place(user, cart=None, key="k1"):
    """The user's cart (or `cart`) checked out with a fixed email, phone and idempotency key."""
    return order_place(
        user=user,
        cart=cart or cart_of_user(user),
        email=user.email,
        phone="+919812345678",
        idempotency_key=key,
    )


def pay(order):
    """The shopper pays the rest on the dev gateway and the browser's report is verified."""
    payment = order.payments.order_by("pk").first()
    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    payments.payment_verify(
        user=order.user,
        gateway_order_id=dev.callback["razorpay_order_id"],
        payment_id=dev.callback["razorpay_payment_id"],
        signature=dev.callback["razorpay_signature"],
    )
    order.refresh_from_db()
    return dev


def codes(status=None, **filters):
    rows = VoucherCode.objects.filter(**filters)
    return rows.filter(status=status) if status else rows
