"""The shop's back office: orders are read-only and move on only through the fulfilment
services (fulfil from stock, fulfil a line by hand, refund lines), whose refusals are shown;
the lists cost the same queries however many rows; only verified operators get in."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from catalog import inventory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.gateways import gateway, sign
from commerce.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    PromoCode,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from commerce.services import payments
from commerce.services.checkout import order_place
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from wallet import ledger
from wallet.models import AccountKind

pytestmark = pytest.mark.django_db

D = Decimal
ORDERS = "/admin/commerce/order/"
PROMOS = "/admin/commerce/promocode/"
PAYMENTS = "/admin/commerce/payment/"
REFUNDS = "/admin/commerce/refund/"
WEBHOOKS = "/admin/commerce/webhookevent/"
NEXT_YEAR = (timezone.localdate() + timedelta(days=365)).isoformat()


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def queries_to_get(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def place(user, cart, key="k1") -> Order:
    return order_place(
        user=user, cart=cart, email=user.email, phone="+919812345678", idempotency_key=key
    )


def wallet_paid_order(*, quantity: int = 2, promo=None, email=None) -> Order:
    """A shopper with ₹2,000 in the wallet buys `quantity` ₹500 cards (₹490 each) with it:
    delivered at once, no gateway."""
    user = UserFactory(**({"email": email} if email else {}))
    wallet_credit(user, "2000.00")
    variant = VariantFactory()
    stock(variant, quantity)
    order = place(user, cart_with(user, (variant, quantity), promo=promo, use_wallet=True))
    assert order.status == OrderStatus.FULFILLED
    return order


def pay_through_dev_gateway(order: Order, capture) -> Order:
    payment = order.payments.get()
    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    with capture(execute=True):
        payments.payment_verify(
            user=order.user,
            gateway_order_id=dev.callback["razorpay_order_id"],
            payment_id=dev.callback["razorpay_payment_id"],
            signature=dev.callback["razorpay_signature"],
        )
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )
    order.refresh_from_db()
    return order


def paid_order_short_of_codes(capture) -> Order:
    """Paid through the dev gateway after its two reserved codes were voided (found bad),
    with no other stock: it stays paid, waiting for codes."""
    user = UserFactory()
    variant = VariantFactory(sku="amazon-pay-500")
    stock(variant, 2, prefix="BAD")
    with capture(execute=True):
        order = place(user, cart_with(user, (variant, 2)))
    inventory.voucher_codes_void(order_line_ids=list(order.lines.values_list("pk", flat=True)))
    order = pay_through_dev_gateway(order, capture)
    assert order.status == OrderStatus.PAID
    return order


# --- The order list ---------------------------------------------------------------------------


def test_the_order_list_shows_number_shopper_status_and_amounts(operator_client):
    order = wallet_paid_order(email="asha@example.in")

    response = operator_client.get(ORDERS)

    html = response.content.decode()
    assert order.number in html and "asha@example.in" in html
    assert "Delivered" in html and "₹980.00" in html


def test_orders_are_found_by_number_and_email_and_filtered(
    operator_client, django_capture_on_commit_callbacks
):
    # given: a wallet-paid order with a promo, and one paid through the dev gateway
    promo = PromoCodeFactory(code="DIWALI10")
    by_wallet = wallet_paid_order(promo=promo, email="asha@example.in")
    user = UserFactory(email="ravi@example.in")
    variant = VariantFactory()
    stock(variant, 1)
    with django_capture_on_commit_callbacks(execute=True):
        online = place(user, cart_with(user, (variant, 1)))
    online = pay_through_dev_gateway(online, django_capture_on_commit_callbacks)

    def listed(**params):
        return [row.pk for row in operator_client.get(ORDERS, params).context["cl"].result_list]

    # then
    assert listed(q=by_wallet.number.lower()) == [by_wallet.pk]
    assert listed(q="ravi@example") == [online.pk]
    assert listed(status__exact="fulfilled") == [online.pk, by_wallet.pk]
    assert listed(gateway="dev") == [online.pk]
    assert listed(gateway="none") == [by_wallet.pk]
    assert listed(promo__id__exact=promo.pk) == [by_wallet.pk]
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert set(listed(created_at__gte=str(midnight))) == {online.pk, by_wallet.pk}
    assert listed(created_at__gte=str(midnight + timedelta(days=1))) == []


def test_the_order_list_costs_the_same_queries_for_3_or_12_orders(operator_client):
    def orders(count):
        for _ in range(count):
            wallet_paid_order(quantity=1, promo=PromoCodeFactory())

    orders(3)
    with_3 = queries_to_get(operator_client, ORDERS)
    orders(9)
    with_12 = queries_to_get(operator_client, ORDERS)

    assert Order.objects.count() == 12
    assert with_12 == with_3, (with_3, with_12)


# --- One order ---------------------------------------------------------------------------------


def test_the_order_page_shows_lines_payments_and_timeline_but_never_a_code(
    operator_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    wallet_credit(user, "100.00")
    variant = VariantFactory(sku="amazon-pay-500")
    stock(variant, 2, prefix="SECRET")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, cart_with(user, (variant, 2), use_wallet=True))
    order = pay_through_dev_gateway(order, django_capture_on_commit_callbacks)
    payment = order.payments.get()

    html = operator_client.get(f"{ORDERS}{order.pk}/change/").content.decode()

    assert order.number in html and "amazon-pay-500" in html
    assert "2 / 2" in html  # codes delivered
    assert payment.gateway_order_id in html and payment.gateway_payment_id in html
    assert "88000" in html  # ₹880 online, in paise
    assert "Timeline" in html and "Paid" in html
    assert "Gift-card order delivered" in html  # the ledger transaction that settled it
    assert "SECRET" not in html
    assert f"{ORDERS}{order.pk}/refund/" in html
    assert f"{ORDERS}{order.pk}/fulfil/" not in html


def test_an_order_cannot_be_edited_in_the_admin(operator_client):
    order = wallet_paid_order()

    saved = operator_client.post(f"{ORDERS}{order.pk}/change/", {"total": "1.00"})

    assert saved.status_code == 403
    assert operator_client.get(f"{ORDERS}add/").status_code == 403
    order.refresh_from_db()
    assert order.total == D("980.00")


# --- Refunds ----------------------------------------------------------------------------------


def test_refunding_a_line_of_a_wallet_paid_order_returns_it_to_the_wallet(operator_client):
    # given: a delivered order of two lines, paid from the wallet
    user = UserFactory()
    wallet_credit(user, "2000.00")
    small, large = VariantFactory(), VariantFactory(face_value=1000, price=950)
    stock(small, 1)
    stock(large, 1)
    order = place(user, cart_with(user, (small, 1), (large, 1), use_wallet=True))
    small_line, large_line = order.lines.order_by("pk")
    sales_before = ledger.platform_balance(ledger_kinds.SALES)

    # when: the refund page, then the large line refunded
    page = operator_client.get(f"{ORDERS}{order.pk}/refund/")
    done = operator_client.post(
        f"{ORDERS}{order.pk}/refund/",
        {"lines": [large_line.pk], "reason": "The brand's site rejected the code."},
        follow=True,
    )

    # then
    html = page.content.decode()
    assert f'value="{small_line.pk}"' in html and f'value="{large_line.pk}"' in html
    assert "Refunded ₹950.00 on order" in " ".join(messages_of(done))
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED  # one line is still the shopper's
    assert order.refunded_amount == D("950.00")
    large_line.refresh_from_db()
    small_line.refresh_from_db()
    assert large_line.refund is not None and small_line.refund is None
    assert large_line.refund.wallet_amount == D("950.00")
    assert large_line.refund.status == RefundStatus.PROCESSED
    assert large_line.refund.created_by.email == "ops@coupzii.in"
    statuses = dict(VoucherCode.objects.values_list("order_line_id", "status"))
    assert statuses == {small_line.pk: VoucherStatus.DELIVERED, large_line.pk: VoucherStatus.VOID}
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("2000.00") - D("490.00")
    assert ledger.platform_balance(ledger_kinds.SALES) == sales_before - D("950.00")
    assert ledger.ledger_problems() == []


def test_refunding_every_line_of_an_order_paid_online_sends_it_back_through_the_gateway(
    operator_client, django_capture_on_commit_callbacks
):
    # given: ₹100 from the wallet and ₹390 through the dev gateway
    user = UserFactory()
    wallet_credit(user, "100.00")
    variant = VariantFactory()
    stock(variant, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, cart_with(user, (variant, 1), use_wallet=True))
    order = pay_through_dev_gateway(order, django_capture_on_commit_callbacks)
    [line] = order.lines.all()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            f"{ORDERS}{order.pk}/refund/", {"lines": [line.pk], "reason": "Never arrived."}
        )

    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = order.refunds.get()
    assert (refund.gateway_amount, refund.wallet_amount) == (D("390.00"), D("100.00"))
    assert refund.status == RefundStatus.PROCESSED and refund.gateway_refund_id
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger.ledger_problems() == []
    html = operator_client.get(f"{ORDERS}{order.pk}/change/").content.decode()
    assert "Never arrived." in html
    assert f"{ORDERS}{order.pk}/refund/" not in html  # nothing left to refund


def test_refunding_a_line_a_promo_paid_for_in_full_voids_its_codes_and_moves_no_money(
    operator_client,
):
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    promo = PromoCodeFactory(kind="flat", value=D("490.00"), max_discount=None)
    order = place(user, cart_with(user, (variant, 1), promo=promo))
    assert (order.status, order.total) == (OrderStatus.FULFILLED, D("0.00"))

    done = operator_client.post(
        f"{ORDERS}{order.pk}/refund/",
        {"lines": [order.lines.get().pk], "reason": "Sent to the wrong person."},
        follow=True,
    )

    assert any("Nothing was paid for them" in note for note in messages_of(done))
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert VoucherCode.objects.get().status == VoucherStatus.VOID
    assert ledger.ledger_problems() == []


def test_a_refund_without_lines_or_reason_is_refused_and_nothing_moves(operator_client):
    order = wallet_paid_order()

    no_lines = operator_client.post(f"{ORDERS}{order.pk}/refund/", {"reason": "Because."})
    no_reason = operator_client.post(
        f"{ORDERS}{order.pk}/refund/", {"lines": [order.lines.get().pk], "reason": " "}
    )

    assert no_lines.status_code == 200 and "This field is required." in no_lines.content.decode()
    assert no_reason.status_code == 200 and "This field is required." in no_reason.content.decode()
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED


def test_a_line_of_another_order_cannot_be_refunded(operator_client):
    order, other = wallet_paid_order(), wallet_paid_order()

    response = operator_client.post(
        f"{ORDERS}{order.pk}/refund/", {"lines": [other.lines.get().pk], "reason": "Oops."}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Refund.objects.exists()


def test_an_order_that_is_not_delivered_offers_no_refund(
    operator_client, django_capture_on_commit_callbacks
):
    order = paid_order_short_of_codes(django_capture_on_commit_callbacks)

    page = operator_client.get(f"{ORDERS}{order.pk}/refund/", follow=True)
    post = operator_client.post(
        f"{ORDERS}{order.pk}/refund/",
        {"lines": [order.lines.get().pk], "reason": "x"},
        follow=True,
    )

    for response in (page, post):
        assert "This can no longer be done: its status has changed." in messages_of(response)
    assert not Refund.objects.exists()


# --- Fulfilment -------------------------------------------------------------------------------


def test_a_paid_order_short_of_codes_is_fulfilled_by_hand(
    operator_client, django_capture_on_commit_callbacks
):
    # given: a paid order whose two reserved codes were voided, with nothing in stock
    order = paid_order_short_of_codes(django_capture_on_commit_callbacks)
    [line] = order.lines.all()
    change = operator_client.get(f"{ORDERS}{order.pk}/change/").content.decode()
    assert "2 missing" in change and f"{ORDERS}{order.pk}/fulfil-by-hand/" in change

    # when: the operator enters the two codes the brand sent
    page = operator_client.get(f"{ORDERS}{order.pk}/fulfil-by-hand/")
    with django_capture_on_commit_callbacks(execute=True):
        done = operator_client.post(
            f"{ORDERS}{order.pk}/fulfil-by-hand/",
            {"line": line.pk, "codes": f"hand-0001,1111,{NEXT_YEAR}\n\nHAND-0002\n"},
            follow=True,
        )

    # then
    assert "2 code(s) missing" in page.content.decode()
    assert any("is delivered" in note for note in messages_of(done))
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    delivered = {
        code.code: code for code in VoucherCode.objects.filter(status=VoucherStatus.DELIVERED)
    }
    assert set(delivered) == {"HAND-0001", "HAND-0002"}
    assert delivered["HAND-0001"].pin == "1111"
    assert delivered["HAND-0001"].order_line_id == line.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM catalog_vouchercode WHERE id = %s", [delivered["HAND-0001"].pk]
        )
        assert "HAND" not in cursor.fetchone()[0]
    assert ledger.platform_balance(ledger_kinds.SALES) == D("980.00")
    assert ledger.platform_balance(ledger_kinds.ESCROW) == D("0.00")
    assert ledger.ledger_problems() == []
    assert "HAND-000" not in operator_client.get(f"{ORDERS}{order.pk}/change/").content.decode()


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        ("A-1\nA-2\nA-3", "This line needs 2 more code(s), not 3."),
        ("A-1,1234,31/12/2030", "Line 1: write the expiry date as YYYY-MM-DD."),
        ("A-1\na- 1", "Line 2: the same code as line 1."),
        ("A-1,1,2,3", "Line 1: write CODE, CODE,PIN or CODE,PIN,YYYY-MM-DD."),
        ("BAD000000", "One of these codes is already in the inventory."),  # the voided one
        ("A-1\nB\u202e2", "Line 2: A code has only letters A-Z, digits"),
        ("A-1\nB-2,12\u200b34", "Line 2: A code has only letters A-Z, digits"),  # in the PIN
    ],
)
def test_codes_entered_by_hand_that_do_not_fit_are_refused(
    operator_client, django_capture_on_commit_callbacks, codes, error
):
    order = paid_order_short_of_codes(django_capture_on_commit_callbacks)

    response = operator_client.post(
        f"{ORDERS}{order.pk}/fulfil-by-hand/", {"line": order.lines.get().pk, "codes": codes}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not VoucherCode.objects.filter(status=VoucherStatus.DELIVERED).exists()


def test_a_paid_order_is_fulfilled_from_stock_once_codes_are_imported(
    operator_client, django_capture_on_commit_callbacks
):
    # given: a short order; the first try finds nothing, then codes arrive
    order = paid_order_short_of_codes(django_capture_on_commit_callbacks)
    first = operator_client.post(f"{ORDERS}{order.pk}/fulfil/", follow=True)
    stock(order.lines.get().variant, 3, prefix="FRESH")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        second = operator_client.post(f"{ORDERS}{order.pk}/fulfil/", follow=True)

    # then
    assert any("still waiting for codes" in note for note in messages_of(first))
    assert any("is delivered" in note for note in messages_of(second))
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert VoucherCode.objects.filter(status=VoucherStatus.DELIVERED).count() == 2
    assert ledger.ledger_problems() == []


def test_bulk_fulfil_delivers_what_it_can_and_names_the_rest(
    operator_client, django_capture_on_commit_callbacks
):
    short = paid_order_short_of_codes(django_capture_on_commit_callbacks)
    delivered = wallet_paid_order()

    response = operator_client.post(
        ORDERS,
        {"action": "fulfil_selected", "_selected_action": [short.pk, delivered.pk]},
        follow=True,
    )

    notes = messages_of(response)
    assert "1 paid order tried from stock." in notes
    assert f"Still waiting for codes: {short.number}." in notes
    assert any(
        "Refused:" in note and "Only paid orders waiting for codes can be fulfilled." in note
        for note in notes
    )


# --- Promo codes, payments, refunds, webhooks --------------------------------------------------


def test_the_promo_list_counts_uses_and_costs_the_same_queries_for_3_or_12(operator_client):
    used = PromoCodeFactory(code="USEDTWICE", usage_limit=10)
    wallet_paid_order(quantity=1, promo=used)
    wallet_paid_order(quantity=1, promo=used)
    PromoCodeFactory.create_batch(2)
    with_3 = queries_to_get(operator_client, PROMOS)
    PromoCodeFactory.create_batch(9)
    with_12 = queries_to_get(operator_client, PROMOS)

    rows = {promo.code: promo for promo in operator_client.get(PROMOS).context["cl"].result_list}
    assert rows["USEDTWICE"].uses_so_far == 2
    assert PromoCode.objects.count() == 12
    assert with_12 == with_3, (with_3, with_12)


def test_an_operator_adds_a_promo_code_stored_in_capitals(operator_client):
    now = timezone.now()

    response = operator_client.post(
        f"{PROMOS}add/",
        {
            "code": " diwali 50 ",
            "description": "Diwali",
            "is_active": "on",
            "kind": "flat",
            "value": "50",
            "min_order": "500",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "ends_at_0": (now + timedelta(days=10)).strftime("%Y-%m-%d"),
            "ends_at_1": "00:00:00",
            "per_user_limit": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    promo = PromoCode.objects.get()
    assert (promo.code, promo.value) == ("DIWALI50", D("50.00"))
    page = operator_client.get(f"{PROMOS}{promo.pk}/change/").content.decode()
    assert 'name="products"' in page and 'name="categories"' in page
    assert page.count('class="selectfilter"') == 2  # filter_horizontal


@pytest.mark.parametrize("code", ["SAVE\u202e10", "SAVE\u041e10", "SAVE\x0010", "SAVE/10"])
def test_a_promo_code_that_breaks_the_code_rule_is_a_form_error(operator_client, code):
    response = operator_client.post(
        f"{PROMOS}add/",
        {
            "code": code,
            "kind": "flat",
            "value": "50",
            "min_order": "0",
            "starts_at_0": timezone.now().strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "per_user_limit": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"]
    assert not PromoCode.objects.exists()


def test_a_percent_promo_over_100_is_refused(operator_client):
    response = operator_client.post(
        f"{PROMOS}add/",
        {
            "code": "TOOMUCH",
            "kind": "percent",
            "value": "150",
            "min_order": "0",
            "starts_at_0": timezone.now().strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "per_user_limit": "1",
        },
    )

    assert response.status_code == 200
    assert not PromoCode.objects.exists()


def test_payments_are_found_by_gateway_ids_and_show_what_the_gateway_said(
    operator_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, cart_with(user, (variant, 1)))
    order = pay_through_dev_gateway(order, django_capture_on_commit_callbacks)
    payment = order.payments.get()
    assert payment.status == PaymentStatus.CAPTURED

    by_payment = operator_client.get(PAYMENTS, {"q": payment.gateway_payment_id})
    by_order = operator_client.get(PAYMENTS, {"q": payment.gateway_order_id})
    page = operator_client.get(f"{PAYMENTS}{payment.pk}/change/")

    assert [row.pk for row in by_payment.context["cl"].result_list] == [payment.pk]
    assert [row.pk for row in by_order.context["cl"].result_list] == [payment.pk]
    html = page.content.decode()
    assert "49000 paise" in html and "₹490.00" in html
    assert "&quot;amount&quot;: 49000" in html  # the raw payloads, pretty-printed


def test_webhook_events_list_and_show_their_payload(
    operator_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, cart_with(user, (variant, 1)))
    pay_through_dev_gateway(order, django_capture_on_commit_callbacks)
    event = WebhookEvent.objects.get()

    listing = operator_client.get(WEBHOOKS, {"processed": "yes"})
    page = operator_client.get(f"{WEBHOOKS}{event.pk}/change/")

    assert [row.pk for row in listing.context["cl"].result_list] == [event.pk]
    html = page.content.decode()
    assert "payment.captured" in html and event.event_id in html
    assert "&quot;event&quot;: &quot;payment.captured&quot;" in html
    assert operator_client.post(f"{WEBHOOKS}{event.pk}/change/", {}).status_code == 403


def test_a_refused_webhook_answers_400_and_operators_find_it_unprocessed(operator_client, client):
    # given a validly signed event whose body holds a number no column can hold
    body = b'{"entity":"event","event":"payment.captured","payload":{"fee":NaN}}'
    signature = sign(body.decode(), gateway().webhook_secret)

    # when it arrives at the webhook endpoint
    response = client.generic(
        "POST",
        "/api/v1/payments/razorpay/webhook/",
        body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=signature,
        HTTP_X_RAZORPAY_EVENT_ID="evt_NotANumber001",
    )

    # then it is refused in the API's shape, and kept where operators look for stuck events
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_invalid"
    event = WebhookEvent.objects.get()
    listing = operator_client.get(WEBHOOKS, {"processed": "no"})
    page = operator_client.get(f"{WEBHOOKS}{event.pk}/change/")
    assert [row.pk for row in listing.context["cl"].result_list] == [event.pk]
    html = page.content.decode()
    assert "refused: NaN is not a number JSON allows." in html
    assert ":NaN}}" in html  # the body as it came


def test_the_refund_list_shows_status_attempts_and_the_last_error(operator_client):
    order = wallet_paid_order()
    operator_client.post(
        f"{ORDERS}{order.pk}/refund/", {"lines": [order.lines.get().pk], "reason": "Unused."}
    )

    listing = operator_client.get(REFUNDS)
    refund = Refund.objects.get()
    page = operator_client.get(f"{REFUNDS}{refund.pk}/change/")

    assert [row.pk for row in listing.context["cl"].result_list] == [refund.pk]
    assert order.number in listing.content.decode()
    assert page.status_code == 200 and "Unused." in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/commerce/",
        "/admin/catalog/",
        ORDERS,
        PROMOS,
        f"{PROMOS}add/",
        PAYMENTS,
        REFUNDS,
        WEBHOOKS,
    ],
)
def test_every_shop_list_opens(operator_client, url):
    wallet_paid_order(promo=PromoCodeFactory())

    assert operator_client.get(url).status_code == 200


# --- Who may come in ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ORDERS, PROMOS, PAYMENTS, REFUNDS, WEBHOOKS])
def test_shoppers_and_unverified_staff_are_kept_out(client, url):
    order = wallet_paid_order()

    client.force_login(order.user)
    assert client.get(url).status_code == 302
    refund = client.post(
        f"{ORDERS}{order.pk}/refund/", {"lines": [order.lines.get().pk], "reason": "mine"}
    )
    assert refund.status_code == 302

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)  # no second factor this session
    assert client.get(url).status_code == 302
    assert not Refund.objects.exists()


def test_staff_who_may_only_view_orders_cannot_refund_or_fulfil(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    sign_in_verified(client, viewer)
    order = wallet_paid_order()

    page = client.get(f"{ORDERS}{order.pk}/change/")
    refund = client.post(
        f"{ORDERS}{order.pk}/refund/", {"lines": [order.lines.get().pk], "reason": "x"}
    )

    assert page.status_code == 200
    assert f"{ORDERS}{order.pk}/refund/" not in page.content.decode()
    assert refund.status_code == 403
    assert not Refund.objects.exists()
