"""What a card checkout costs the database, on PostgreSQL: the statements of one checkout from
the cart to the webhook, as a web process sends them (real transactions, the delivery task
handed to the broker rather than run in the request), for a shopper who has checked out
before. At most 43 in all, and three cart lines cost what one does."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce.gateways import gateway
from commerce.models import OrderStatus
from commerce.services import payments
from commerce.services.cart import cart_line_set, cart_of_user
from commerce.services.checkout import order_place_result
from coupzii.celery import app as celery_app

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STEPS = ("cart", "place", "pay", "verify", "webhook")
MOST = 43


@pytest.fixture
def tasks_to_the_broker():
    """Tasks queued on the (in-memory) broker, as in production, instead of run eagerly in
    the request: a worker's statements are not the checkout's."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def checkout(user, cart, skus: list[str], key: str, counted: Counter | None = None):
    """One checkout as the pages and the gateway drive it: the last card goes in the cart
    (the others are there already), the order is placed, paid on the gateway's page, verified
    by the browser's report, and the gateway's webhook for the same payment arrives."""
    for sku in skus[:-1]:
        cart_line_set(cart=cart, sku=sku, quantity=1)
    steps = {}

    def step(name):
        steps[name] = CaptureQueriesContext(connection)
        return steps[name]

    with step("cart"):
        cart_line_set(cart=cart, sku=skus[-1], quantity=1)
    with step("place"):
        placed = order_place_result(
            user=user, cart=cart, email=user.email, phone=user.phone, idempotency_key=key
        )
    payment = placed.order.payments.get()
    with step("pay"):
        dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    with step("verify"):
        order = payments.payment_verify(
            user=user,
            gateway_order_id=dev.callback["razorpay_order_id"],
            payment_id=dev.callback["razorpay_payment_id"],
            signature=dev.callback["razorpay_signature"],
        )
    with step("webhook"):
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )
    assert order.status == OrderStatus.FULFILLED
    assert VoucherCode.objects.filter(
        order_line_id__in=order.lines.values("pk"), status=VoucherStatus.DELIVERED
    ).count() == len(skus)
    return {name: [q["sql"] for q in steps[name].captured_queries] for name in STEPS}


def statements(by_step) -> int:
    return sum(len(sqls) for sqls in by_step.values())


def describe(by_step) -> str:
    lines = [", ".join(f"{name} {len(by_step[name])}" for name in STEPS)]
    for name in STEPS:
        lines += [f"  {name}: {sql[:160]}" for sql in by_step[name]]
    return "\n".join(lines)


def test_a_card_checkout_runs_at_most_43_statements_and_three_lines_cost_what_one_does(
    tasks_to_the_broker,
):
    # given a shopper who has bought before (their wallet accounts exist, and this process
    # has looked up the shop's platform accounts), and four cards in stock
    user = UserFactory(phone="+919876543210")
    cart = cart_of_user(user)
    skus = []
    for _ in range(4):
        variant = VariantFactory()
        stock(variant, 5)
        skus.append(variant.sku)
    checkout(user, cart, skus[:1], "warm-up")

    # when they buy one card, then three
    one = checkout(user, cart, skus[1:2], "one")
    three = checkout(user, cart, skus[1:4], "three")

    # then
    assert statements(one) <= MOST, describe(one)
    assert statements(three) == statements(one), describe(three)
