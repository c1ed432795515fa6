"""The shop's services one at a time: the cart, promo rules, checkout's checks, wallet-only
orders, fulfilment by hand and the expiry sweep (operators' refunds: test_refunds). SQLite and
PostgreSQL."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from catalog import inventory
from catalog.inventory import NewCode
from catalog.models import VoucherStatus
from catalog.tests.factories import CategoryFactory, VariantFactory, stock
from commerce import ledger_kinds, selectors
from commerce.errors import (
    CartEmpty,
    CartFull,
    CartInvalid,
    GatewayUnavailable,
    IdempotencyKeyReused,
    InvalidTransition,
    OrderNotFound,
    PaymentInvalid,
    ProductNotFound,
    PromoInvalid,
)
from commerce.gateways import DevGateway, gateway
from commerce.models import (
    CartLine,
    DevGatewayOrder,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoKind,
    PromoUsage,
)
from commerce.services import cart as carts
from commerce.services import fulfilment, payments, promos
from commerce.services.order_payable import order_expire
from commerce.tasks import expire_unpaid_orders
from commerce.tests.factories import PromoCodeFactory, cart_with, codes, pay, place, wallet_credit
from coupzii.core.errors import DomainError, Forbidden
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind, CashbackDebt, Transaction
from wallet.tests.factories import confirmed_cashback, operator

pytestmark = pytest.mark.django_db


def tampered(signature: str) -> str:
    """The signature with its last hex digit changed (always to a different one)."""
    return signature[:-1] + ("1" if signature[-1] == "0" else "0")


AVAILABLE, HELD = AccountKind.AVAILABLE, AccountKind.HELD


# --- The cart ----------------------------------------------------------------------------------


def test_cart_line_set_sets_adds_and_removes_a_denomination(card):
    cart = carts.cart_of_user(UserFactory())

    carts.cart_line_set(cart=cart, sku=card.sku, quantity=2)
    carts.cart_line_set(cart=cart, sku=card.sku, quantity=1, add=True)
    assert CartLine.objects.get(cart=cart).quantity == 3

    carts.cart_line_set(cart=cart, sku=card.sku, quantity=1)
    assert CartLine.objects.get(cart=cart).quantity == 1

    assert carts.cart_line_set(cart=cart, sku=card.sku, quantity=0) is None
    assert not CartLine.objects.filter(cart=cart).exists()


@pytest.mark.parametrize("quantity", [6, 99])
def test_cart_line_set_refuses_quantities_above_the_per_order_limit(card, quantity):
    cart = carts.cart_of_user(UserFactory())
    with pytest.raises(CartInvalid) as refused:
        carts.cart_line_set(cart=cart, sku=card.sku, quantity=quantity)
    assert "quantity" in refused.value.fields
    assert not CartLine.objects.exists()


def test_adding_past_the_per_order_limit_is_refused_and_keeps_the_line():
    variant = VariantFactory(min_quantity=2, max_quantity=3)
    cart = carts.cart_of_user(UserFactory())
    with pytest.raises(CartInvalid):
        carts.cart_line_set(cart=cart, sku=variant.sku, quantity=1)  # below the least
    carts.cart_line_set(cart=cart, sku=variant.sku, quantity=3)
    with pytest.raises(CartInvalid):
        carts.cart_line_set(cart=cart, sku=variant.sku, quantity=1, add=True)
    assert CartLine.objects.get().quantity == 3


def test_cart_line_set_refuses_a_card_no_longer_sold():
    cart = carts.cart_of_user(UserFactory())
    hidden = VariantFactory(product__is_active=False)
    retired = VariantFactory(is_active=False)
    for sku in (hidden.sku, retired.sku, "no-such-card"):
        with pytest.raises(ProductNotFound):
            carts.cart_line_set(cart=cart, sku=sku, quantity=1)


def test_a_cart_holds_at_most_the_configured_number_of_denominations(settings):
    settings.COMMERCE_MAX_CART_LINES = 2
    cart = carts.cart_of_user(UserFactory())
    first, second, third = VariantFactory(), VariantFactory(), VariantFactory()
    carts.cart_line_set(cart=cart, sku=first.sku, quantity=1)
    carts.cart_line_set(cart=cart, sku=second.sku, quantity=1)

    with pytest.raises(CartFull):
        carts.cart_line_set(cart=cart, sku=third.sku, quantity=1)
    # a line already in the cart can still change
    carts.cart_line_set(cart=cart, sku=first.sku, quantity=4)
    assert sorted(CartLine.objects.values_list("quantity", flat=True)) == [1, 4]


# --- Promo codes -------------------------------------------------------------------------------


def test_a_promo_code_is_found_whatever_its_case_and_surrounding_spaces():
    promo = PromoCodeFactory(code="DIWALI10")
    assert promos.promo_find("  diwali10 ") == promo
    assert promos.promo_find("Diwali 10") == promo
    for typed in ("", "   ", "DIWALI1", "X" * 40):
        with pytest.raises(PromoInvalid) as refused:
            promos.promo_find(typed)
        assert "promo_code" in refused.value.fields


def test_an_inactive_promo_code_can_be_neither_applied_nor_used():
    promo = PromoCodeFactory(is_active=False)
    with pytest.raises(PromoInvalid):
        promos.promo_find(promo.code)
    with pytest.raises(PromoInvalid):
        promos.check_promo_usable(promo, user=None, now=timezone.now())


def test_a_promo_code_is_usable_only_within_its_window():
    now = timezone.now()
    soon = PromoCodeFactory(starts_at=now + timedelta(hours=1))
    over = PromoCodeFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(seconds=1))
    live = PromoCodeFactory(starts_at=now - timedelta(days=2), ends_at=now + timedelta(hours=1))
    for promo in (soon, over):
        with pytest.raises(PromoInvalid, match="expired or is not active yet"):
            carts.cart_promo_apply(
                cart=carts.cart_of_user(UserFactory()), code=promo.code, user=None
            )
    assert (
        carts.cart_promo_apply(
            cart=carts.cart_of_user(UserFactory()), code=live.code.lower(), user=None
        )
        == live
    )


def test_the_total_usage_limit_counts_every_shoppers_orders(card):
    promo = PromoCodeFactory(usage_limit=1, per_user_limit=5)
    first = UserFactory()
    place(first, cart_with(first, (card, 1), promo=promo))

    with pytest.raises(PromoInvalid, match="fully used"):
        promos.check_promo_usable(promo, user=UserFactory(), now=timezone.now())


def test_the_per_user_limit_counts_only_that_shoppers_orders(card):
    promo = PromoCodeFactory(per_user_limit=1)
    shopper = UserFactory()
    place(shopper, cart_with(shopper, (card, 1), promo=promo))

    with pytest.raises(PromoInvalid, match="already used"):
        promos.check_promo_usable(promo, user=shopper, now=timezone.now())
    promos.check_promo_usable(promo, user=UserFactory(), now=timezone.now())


def test_a_cancelled_orders_promo_use_counts_no_more(card):
    promo = PromoCodeFactory(usage_limit=1)
    shopper = UserFactory()
    order = place(shopper, cart_with(shopper, (card, 1), promo=promo))

    order_expire(order=order)

    assert PromoUsage.objects.get(order=order).released_at is not None
    promos.check_promo_usable(promo, user=shopper, now=timezone.now())
    again = place(shopper, cart_with(shopper, (card, 1), promo=promo), key="k2")
    assert again.discount == D("49.00")


def test_the_minimum_order_is_measured_on_the_lines_the_promo_applies_to():
    # given ₹500 minimum on one category; ₹490 of it and ₹10,000 of something else
    shopper = UserFactory()
    eligible = VariantFactory()
    other = VariantFactory(face_value=D("10000.00"), price=D("10000.00"))
    stock(eligible, 2)
    stock(other, 1)
    promo = PromoCodeFactory(min_order=D("500.00"))
    promo.categories.add(eligible.product.category)
    cart = cart_with(shopper, (eligible, 1), (other, 1), promo=promo)

    # then the cart says how much more to add, and checkout refuses on the promo field
    priced = selectors.cart_priced(cart, user=shopper)
    assert priced.breakdown.discount == 0
    assert "Add ₹10.00 more" in priced.problems["promo_code"][0]
    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)
    assert set(refused.value.fields) == {"promo_code"}

    # with two of the eligible card it applies, to that line only
    carts.cart_line_set(cart=cart, sku=eligible.sku, quantity=2)
    order = place(shopper, cart, key="k2")
    assert order.discount == D("98.00")
    discounts = dict(order.lines.values_list("variant_id", "discount"))
    assert discounts == {eligible.pk: D("98.00"), other.pk: D("0.00")}


def test_a_promo_for_a_product_or_a_category_discounts_only_those_lines():
    shopper = UserFactory()
    by_product, by_category, neither = VariantFactory(), VariantFactory(), VariantFactory()
    for variant in (by_product, by_category, neither):
        stock(variant, 1)
    promo = PromoCodeFactory(kind=PromoKind.FLAT, value=D("30.00"), max_discount=None)
    promo.products.add(by_product.product)
    promo.categories.add(by_category.product.category)

    order = place(
        shopper, cart_with(shopper, (by_product, 1), (by_category, 1), (neither, 1), promo=promo)
    )

    assert order.discount == D("30.00")
    discounts = dict(order.lines.values_list("variant_id", "discount"))
    assert discounts == {by_product.pk: D("15.00"), by_category.pk: D("15.00"), neither.pk: 0}
    assert order.promo == promo
    assert PromoUsage.objects.get(order=order).discount == D("30.00")


def test_a_promo_that_applies_to_nothing_in_the_cart_says_so():
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    promo = PromoCodeFactory()
    promo.categories.add(CategoryFactory())
    priced = selectors.cart_priced(cart_with(shopper, (variant, 1), promo=promo), user=shopper)
    assert "doesn't apply" in priced.problems["promo_code"][0]


# --- Checkout's checks -------------------------------------------------------------------------


def test_checkout_of_an_empty_cart_is_refused():
    shopper = UserFactory()
    with pytest.raises(CartEmpty):
        place(shopper)
    assert not Order.objects.exists()


def test_checkout_refuses_a_card_taken_off_sale_after_it_was_added(card):
    shopper = UserFactory()
    cart = cart_with(shopper, (card, 1))
    card.product.is_active = False
    card.product.save()

    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)

    assert list(refused.value.fields) == [f"lines.{card.sku}"]
    assert not Order.objects.exists()
    assert codes(VoucherStatus.AVAILABLE).count() == 5


def test_checkout_refuses_more_than_the_stock_and_keeps_the_cart():
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 2)
    cart = cart_with(shopper, (variant, 3))

    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)

    assert refused.value.fields == {f"lines.{variant.sku}": ["Only 2 left."]}
    assert not Order.objects.exists()
    assert codes(VoucherStatus.AVAILABLE).count() == 2
    assert CartLine.objects.get(cart=cart).quantity == 3


def test_checkout_refuses_a_promo_used_up_since_it_was_applied(card):
    # given the last use of a code is taken by someone else after this shopper applied it
    promo = PromoCodeFactory(usage_limit=1, per_user_limit=5)
    shopper, other = UserFactory(), UserFactory()
    cart = carts.cart_of_user(shopper)
    carts.cart_line_set(cart=cart, sku=card.sku, quantity=1)
    carts.cart_promo_apply(cart=cart, code=promo.code, user=shopper)
    place(other, cart_with(other, (card, 1), promo=promo))

    # when / then
    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)
    assert list(refused.value.fields) == ["promo_code"]
    assert Order.objects.filter(user=shopper).count() == 0
    assert PromoUsage.objects.count() == 1


def test_checkout_refuses_a_promo_switched_off_since_it_was_applied(card):
    promo = PromoCodeFactory()
    shopper = UserFactory()
    cart = cart_with(shopper, (card, 1), promo=promo)
    promo.is_active = False
    promo.save()
    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)
    assert list(refused.value.fields) == ["promo_code"]


def test_an_online_remainder_below_the_gateways_minimum_is_refused():
    # ₹489.50 off a ₹490 card leaves 50 paise, which no gateway takes
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    promo = PromoCodeFactory(kind=PromoKind.FLAT, value=D("489.50"), max_discount=None)
    cart = cart_with(shopper, (variant, 1), promo=promo)

    with pytest.raises(CartInvalid) as refused:
        place(shopper, cart)

    assert list(refused.value.fields) == ["payable"]
    assert not Order.objects.exists()


# SQLite keeps decimals as floats, where 1000.30 - 0.10 != 1000.20: the amount checks allow
# half a paisa so such orders are placed there too.
def test_an_order_of_amounts_a_float_cannot_hold_exactly_is_placed():
    shopper = UserFactory()
    variant = VariantFactory(face_value=D("1100.00"), price=D("1000.30"))
    stock(variant, 1)
    promo = PromoCodeFactory(kind=PromoKind.FLAT, value=D("0.10"), max_discount=None)

    order = place(shopper, cart_with(shopper, (variant, 1), promo=promo))

    assert (order.subtotal, order.discount, order.total) == (
        D("1000.30"),
        D("0.10"),
        D("1000.20"),
    )


def test_the_wallet_leaves_at_least_the_gateways_minimum_to_pay_online(card):
    shopper = UserFactory()
    wallet_credit(shopper, "489.50")
    order = place(shopper, cart_with(shopper, (card, 1), use_wallet=True))
    assert (order.wallet_amount, order.gateway_amount) == (D("489.00"), D("1.00"))
    assert order.payments.get().amount_paise == 100
    assert ledger.balances(shopper)[AVAILABLE] == D("0.50")


def test_a_retry_with_the_same_key_returns_the_first_order_and_holds_the_wallet_once(card):
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    cart = cart_with(shopper, (card, 2), use_wallet=True)

    first = place(shopper, cart, key="tap")
    again = place(shopper, carts.cart_of_user(shopper), key="tap")

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert codes(VoucherStatus.RESERVED).count() == 2
    assert ledger.balances(shopper)[HELD] == D("100.00")
    assert ledger_problems() == []


def test_a_key_reused_for_a_new_cart_is_refused_and_nothing_is_written(card):
    shopper = UserFactory()
    place(shopper, cart_with(shopper, (card, 1)), key="tap")
    cart = cart_with(shopper, (card, 2))

    with pytest.raises(IdempotencyKeyReused):
        place(shopper, cart, key="tap")

    assert Order.objects.count() == 1
    assert codes(VoucherStatus.RESERVED).count() == 1
    assert CartLine.objects.get(cart=cart).quantity == 2


def test_an_order_the_wallet_pays_in_full_is_delivered_without_the_gateway(
    card, django_capture_on_commit_callbacks, mailoutbox
):
    shopper = UserFactory()
    wallet_credit(shopper, "1000.00")

    with django_capture_on_commit_callbacks(execute=True):
        order = place(shopper, cart_with(shopper, (card, 2), use_wallet=True))

    assert order.status == OrderStatus.FULFILLED
    assert (order.wallet_amount, order.gateway_amount) == (D("980.00"), D("0.00"))
    assert not Payment.objects.exists()
    assert not DevGatewayOrder.objects.exists()
    assert codes(VoucherStatus.DELIVERED).count() == 2
    balances = ledger.balances(shopper)
    assert (balances[AVAILABLE], balances[HELD]) == (D("20.00"), D("0.00"))
    assert ledger.platform_balance(ledger_kinds.SALES) == D("980.00")
    assert Transaction.objects.filter(idempotency_key=f"order:{order.pk}:close").count() == 1
    assert any(order.number in message.subject for message in mailoutbox)
    assert not CartLine.objects.exists()
    assert ledger_problems() == []


def test_the_wallet_share_is_what_can_be_spent_debts_included(card):
    # given ₹500 available, of which ₹300 is owed back from clawed-back cashback
    shopper = UserFactory()
    event = confirmed_cashback(shopper, "300.00")
    wallet_credit(shopper, "200.00")
    CashbackDebt.objects.create(user=shopper, event=event, amount=D("300.00"))

    order = place(shopper, cart_with(shopper, (card, 1), use_wallet=True))

    assert (order.wallet_amount, order.gateway_amount) == (D("200.00"), D("290.00"))
    assert ledger.balances(shopper)[AVAILABLE] == D("300.00")
    assert ledger_problems() == []


def test_codes_expiring_within_the_minimum_validity_are_not_sold(settings):
    settings.CATALOG_MIN_CODE_VALIDITY_DAYS = 30
    shopper = UserFactory()
    variant = VariantFactory()
    today = timezone.localdate()
    stock(variant, 2, prefix="SOON", expires_on=today + timedelta(days=29))
    [fresh] = stock(variant, 1, prefix="LATER", expires_on=today + timedelta(days=30))

    with pytest.raises(CartInvalid):
        place(shopper, cart_with(shopper, (variant, 2)))
    order = place(shopper, cart_with(shopper, (variant, 1)), key="k2")

    assert list(codes(VoucherStatus.RESERVED).values_list("pk", flat=True)) == [fresh.pk]
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_a_gateway_that_does_not_answer_leaves_nothing_behind(card, monkeypatch):
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    promo = PromoCodeFactory()
    cart = cart_with(shopper, (card, 1), promo=promo, use_wallet=True)

    def down(self, **kwargs):
        raise GatewayUnavailable()

    monkeypatch.setattr(DevGateway, "order_create", down)
    with pytest.raises(GatewayUnavailable):
        place(shopper, cart)

    assert not Order.objects.exists()
    assert not PromoUsage.objects.exists()
    assert codes(VoucherStatus.AVAILABLE).count() == 5
    assert ledger.balances(shopper)[AVAILABLE] == D("100.00")
    assert CartLine.objects.filter(cart=cart).count() == 1
    assert ledger_problems() == []


# --- Paying ------------------------------------------------------------------------------------


def test_another_users_gateway_order_is_not_found_and_a_bad_signature_changes_nothing(card):
    shopper, intruder = UserFactory(), UserFactory()
    order = place(shopper, cart_with(shopper, (card, 1)))
    payment = order.payments.get()
    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    callback = dev.callback

    with pytest.raises(OrderNotFound):
        payments.payment_verify(
            user=intruder,
            gateway_order_id=callback["razorpay_order_id"],
            payment_id=callback["razorpay_payment_id"],
            signature=callback["razorpay_signature"],
        )
    with pytest.raises(PaymentInvalid):
        payments.payment_verify(
            user=shopper,
            gateway_order_id=callback["razorpay_order_id"],
            payment_id=callback["razorpay_payment_id"],
            signature=tampered(callback["razorpay_signature"]),
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.payments.get().status == PaymentStatus.CREATED
    assert not Transaction.objects.filter(kind=ledger_kinds.ORDER_PAYMENT).exists()


# --- Fulfilment by hand ------------------------------------------------------------------------


def test_an_order_short_of_a_voided_code_waits_and_is_fulfilled_by_hand(
    django_capture_on_commit_callbacks,
):
    # given an order of two codes, one of which an operator voided while it was reserved
    staff = operator()
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    variant = VariantFactory()
    stock(variant, 2)
    order = place(shopper, cart_with(shopper, (variant, 2), use_wallet=True))
    bad = codes(VoucherStatus.RESERVED).first()
    assert inventory.voucher_codes_void_by_pks(pks=[bad.pk]) == 1

    # when it is paid: one code is delivered, and the order waits for the other
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert order.status == OrderStatus.PAID
    assert codes(VoucherStatus.DELIVERED).count() == 1
    assert Notification.objects.filter(user=staff, kind="operations").exists()
    assert ledger.balances(shopper)[HELD] == D("100.00")  # not settled yet
    line = order.lines.get()

    # then the operator types the code the brand sent, and the order is delivered
    with pytest.raises(DomainError):
        fulfilment.order_line_fulfil_by_hand(
            line=line, codes=[NewCode("BRAND-1"), NewCode("BRAND-2")], operator=staff
        )
    with pytest.raises(Forbidden):
        fulfilment.order_line_fulfil_by_hand(
            line=line, codes=[NewCode("BRAND-1")], operator=UserFactory()
        )
    fulfilment.order_line_fulfil_by_hand(line=line, codes=[NewCode("BRAND-1")], operator=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert inventory.delivered_counts([line.pk]) == {line.pk: 2}
    assert ledger.balances(shopper)[HELD] == D("0.00")
    assert ledger.platform_balance(ledger_kinds.SALES) == D("980.00")
    assert ledger_problems() == []


def test_a_code_typed_by_hand_that_is_already_in_the_inventory_is_refused():
    staff = operator()
    shopper = UserFactory()
    variant = VariantFactory()
    [reserved] = stock(variant, 1)
    [elsewhere] = stock(VariantFactory(), 1, prefix="ELSEWHERE")
    order = place(shopper, cart_with(shopper, (variant, 1)))
    inventory.voucher_codes_void_by_pks(pks=[reserved.pk])
    pay(order)
    assert order.status == OrderStatus.PAID

    with pytest.raises(DomainError) as refused:
        fulfilment.order_line_fulfil_by_hand(
            line=order.lines.get(), codes=[NewCode(elsewhere.code.lower())], operator=staff
        )
    assert "codes" in refused.value.fields
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_paid_order_short_of_codes_is_fulfilled_once_new_stock_arrives():
    staff = operator()
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    order = place(shopper, cart_with(shopper, (variant, 1)))
    inventory.voucher_codes_void_by_pks(
        pks=codes(VoucherStatus.RESERVED).values_list("pk", flat=True)
    )
    pay(order)
    assert order.status == OrderStatus.PAID

    with pytest.raises(Forbidden):
        fulfilment.order_fulfil_retry(order=order, operator=shopper)
    fulfilment.order_fulfil_retry(order=order, operator=staff)  # nothing new yet
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    stock(variant, 2, prefix="NEWBATCH")
    fulfilment.order_fulfil_retry(order=order, operator=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert codes(VoucherStatus.DELIVERED).count() == 1
    assert codes(VoucherStatus.AVAILABLE).count() == 1
    with pytest.raises(InvalidTransition):
        fulfilment.order_fulfil_retry(order=order, operator=staff)
    assert ledger_problems() == []


# --- The expiry sweep --------------------------------------------------------------------------


def test_the_expiry_task_cancels_overdue_orders_and_releases_everything(
    card, django_capture_on_commit_callbacks
):
    # given an overdue order with a promo and a wallet share, and one still within its window
    shopper, patient = UserFactory(), UserFactory()
    wallet_credit(shopper, "100.00")
    promo = PromoCodeFactory(usage_limit=1)
    late = place(shopper, cart_with(shopper, (card, 2), promo=promo, use_wallet=True))
    waiting = place(patient, cart_with(patient, (card, 1)))
    Order.objects.filter(pk=late.pk).update(pay_by=timezone.now() - timedelta(seconds=1))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_unpaid_orders() == 1

    # then
    late.refresh_from_db()
    assert late.status == OrderStatus.CANCELLED
    assert late.closed_at is not None
    assert late.payments.get().status == PaymentStatus.FAILED
    assert codes(VoucherStatus.AVAILABLE).count() == 4
    assert codes(VoucherStatus.RESERVED).get().order_line_id == waiting.lines.get().pk
    assert PromoUsage.objects.get(order=late).released_at is not None
    balances = ledger.balances(shopper)
    assert (balances[AVAILABLE], balances[HELD]) == (D("100.00"), D("0.00"))
    assert Notification.objects.filter(user=shopper, kind="order_update").exists()
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.PENDING_PAYMENT
    # a second run finds nothing to do
    assert expire_unpaid_orders() == 0
    assert ledger_problems() == []


def test_the_expiry_task_delivers_an_order_whose_capture_webhook_was_lost(card):
    shopper = UserFactory()
    order = place(shopper, cart_with(shopper, (card, 1)))
    gateway().pay(gateway_order_id=order.payments.get().gateway_order_id, succeed=True)
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(seconds=1))

    expire_unpaid_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert order.payments.get().raw[-1]["source"] == "expiry"
    assert ledger_problems() == []
