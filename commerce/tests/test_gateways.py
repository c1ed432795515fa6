"""The gateway adapters: the official Razorpay SDK over real HTTP to the loopback Razorpay
(requests, answers, refusals, faults), signatures checked as Razorpay signs, and the dev
gateway signing the same way."""

import hashlib
import hmac
import json
import logging

import pytest
import razorpay
from django.conf import settings
from django.test import override_settings

from commerce import gateways
from commerce.errors import GatewayUnavailable, PaymentInvalid
from commerce.gateways import DevGateway, GatewayPayment, RazorpayGateway, gateway

from .loopback_razorpay import (
    CAPTURE,
    KEY_SECRET,
    ORDERS,
    PAYMENT,
    REFUND,
    REFUNDS,
    WEBHOOK_SECRET,
    LoopbackRazorpay,
    sign,
)


@pytest.fixture
def rzp(razorpay_loopback) -> RazorpayGateway:
    return gateway()


def new_order(rzp, amount_paise=49000, receipt="CZTEST0001") -> str:
    return rzp.order_create(amount_paise=amount_paise, receipt=receipt, notes={"order": receipt})[
        "id"
    ]


# --- choosing the gateway ---------------------------------------------------------------------


def test_gateway_is_razorpay_with_keys_and_points_the_sdk_at_the_configured_url(
    razorpay_loopback,
):
    adapter = gateway()

    assert isinstance(adapter, RazorpayGateway) and not adapter.is_dev
    assert adapter.client.base_url == razorpay_loopback.url
    assert adapter.client.auth == (razorpay_loopback.key_id, razorpay_loopback.key_secret)
    assert gateway() is adapter


def test_gateway_is_the_dev_gateway_without_keys():
    with override_settings(RAZORPAY_KEY_ID=""):
        adapter = gateway()

    assert isinstance(adapter, DevGateway) and adapter.is_dev
    assert adapter.key_secret == settings.DEV_GATEWAY_KEY_SECRET


# --- orders, payments, refunds over HTTP --------------------------------------------------------


def test_order_create_sends_paise_currency_receipt_and_notes_with_basic_auth(
    rzp, razorpay_loopback
):
    answer = rzp.order_create(amount_paise=83000, receipt="CZ7KQ2M9XA", notes={"order": "CZ7"})

    [request] = razorpay_loopback.calls("POST", ORDERS)
    assert request.authorized
    assert request.body == {
        "amount": 83000,
        "currency": "INR",
        "receipt": "CZ7KQ2M9XA",
        "notes": {"order": "CZ7"},
        "payment_capture": 1,
    }
    assert answer["id"].startswith("order_")
    assert (answer["amount"], answer["currency"], answer["status"]) == (83000, "INR", "created")
    assert razorpay_loopback.orders[answer["id"]]["receipt"] == "CZ7KQ2M9XA"


def test_order_create_below_one_rupee_is_refused_as_invalid(rzp, razorpay_loopback):
    with pytest.raises(PaymentInvalid, match=r"atleast INR 1\.00"):
        rzp.order_create(amount_paise=99, receipt="CZSMALL", notes={})

    assert razorpay_loopback.orders == {}


def test_payment_fetch_reads_the_payment_entity(rzp, razorpay_loopback):
    order_id = new_order(rzp, 49000)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(order_id, method="card"))

    payment = rzp.payment_fetch(payment_id)

    assert payment == GatewayPayment(
        id=payment_id,
        order_id=order_id,
        amount_paise=49000,
        currency="INR",
        status="captured",
        method="card",
        error="",
        raw=razorpay_loopback.payments[payment_id],
    )


def test_payment_fetch_of_a_failed_payment_carries_its_error(rzp, razorpay_loopback):
    order_id = new_order(rzp)
    callback = razorpay_loopback.pay(order_id, status="failed")

    payment = rzp.payment_fetch(razorpay_loopback.payment_id_of(callback))

    assert (payment.status, payment.error) == ("failed", "Payment failed")


def test_payment_fetch_of_an_unknown_id_is_invalid(rzp, razorpay_loopback):
    with pytest.raises(PaymentInvalid, match="does not exist"):
        rzp.payment_fetch("pay_Unknown0000001")

    assert [r.status for r in razorpay_loopback.calls("GET", PAYMENT)] == [400]


@pytest.mark.parametrize(
    "payment_id",
    ["", "pay_", "pay_abc/refunds", "pay_abc?count=100", "../orders/order_abc", "pay_abc def"],
)
def test_payment_ids_that_are_not_razorpay_ids_never_reach_the_url(
    rzp, razorpay_loopback, payment_id
):
    with pytest.raises(PaymentInvalid):
        rzp.payment_fetch(payment_id)
    with pytest.raises(PaymentInvalid):
        rzp.refunds_of(payment_id)

    assert razorpay_loopback.requests == []


def test_payment_capture_captures_an_authorized_payment(rzp, razorpay_loopback):
    order_id = new_order(rzp, 49000)
    payment_id = razorpay_loopback.payment_id_of(
        razorpay_loopback.pay(order_id, status="authorized")
    )
    authorized = rzp.payment_fetch(payment_id)
    assert authorized.status == "authorized"

    captured = rzp.payment_capture(authorized)

    assert (captured.id, captured.status, captured.amount_paise) == (payment_id, "captured", 49000)
    [request] = razorpay_loopback.calls("POST", CAPTURE)
    assert request.body == {"amount": 49000, "currency": "INR"}
    assert razorpay_loopback.orders[order_id]["status"] == "paid"


def test_payment_capture_of_a_payment_captured_meanwhile_answers_the_capture(
    rzp, razorpay_loopback
):
    # given the shopper's browser saw "authorized" and Razorpay auto-captured right after
    order_id = new_order(rzp)
    payment_id = razorpay_loopback.payment_id_of(
        razorpay_loopback.pay(order_id, status="authorized")
    )
    authorized = rzp.payment_fetch(payment_id)
    razorpay_loopback.capture(payment_id)

    # when we capture too
    captured = rzp.payment_capture(authorized)

    # then Razorpay's "already captured" is read as the capture it is
    assert captured.status == "captured"
    assert [r.status for r in razorpay_loopback.calls("POST", CAPTURE)] == [400]


def test_payment_capture_of_a_failed_payment_is_invalid(rzp, razorpay_loopback):
    order_id = new_order(rzp)
    callback = razorpay_loopback.pay(order_id, status="failed")
    failed = rzp.payment_fetch(razorpay_loopback.payment_id_of(callback))

    with pytest.raises(PaymentInvalid, match="authorized"):
        rzp.payment_capture(failed)


def test_order_payments_lists_every_attempt_on_the_order(rzp, razorpay_loopback):
    order_id = new_order(rzp)
    other_order_id = new_order(rzp, receipt="CZOTHER")
    failed = razorpay_loopback.payment_id_of(razorpay_loopback.pay(order_id, status="failed"))
    captured = razorpay_loopback.payment_id_of(razorpay_loopback.pay(order_id))
    razorpay_loopback.pay(other_order_id)

    payments = rzp.order_payments(order_id)

    assert {(p.id, p.status) for p in payments} == {(failed, "failed"), (captured, "captured")}
    assert {p.order_id for p in payments} == {order_id}


def test_order_payments_of_a_new_order_is_empty(rzp):
    assert rzp.order_payments(new_order(rzp)) == []


def test_refund_create_sends_amount_and_our_reference_and_refunds_of_finds_it(
    rzp, razorpay_loopback
):
    order_id = new_order(rzp, 49000)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(order_id))

    refund = rzp.refund_create(payment_id=payment_id, amount_paise=20000, reference="ref-1")

    [request] = razorpay_loopback.calls("POST", REFUND)
    assert request.body == {
        "amount": 20000,
        "receipt": "ref-1",
        "notes": {"coupzii_refund": "ref-1"},
    }
    assert refund["id"].startswith("rfnd_")
    assert (refund["amount"], refund["status"], refund["payment_id"]) == (
        20000,
        "processed",
        payment_id,
    )
    assert [r["id"] for r in rzp.refunds_of(payment_id)] == [refund["id"]]
    assert rzp.payment_fetch(payment_id).status == "captured"  # partly refunded


def test_a_full_refund_leaves_the_payment_refunded(rzp, razorpay_loopback):
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp, 49000)))

    rzp.refund_create(payment_id=payment_id, amount_paise=30000, reference="ref-1")
    rzp.refund_create(payment_id=payment_id, amount_paise=19000, reference="ref-2")

    assert rzp.payment_fetch(payment_id).status == "refunded"
    assert {r["notes"]["coupzii_refund"] for r in rzp.refunds_of(payment_id)} == {"ref-1", "ref-2"}


def test_a_refund_above_the_amount_left_is_invalid_and_refunds_nothing(rzp, razorpay_loopback):
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp, 49000)))
    rzp.refund_create(payment_id=payment_id, amount_paise=40000, reference="ref-1")

    with pytest.raises(PaymentInvalid, match="greater than"):
        rzp.refund_create(payment_id=payment_id, amount_paise=9001, reference="ref-2")

    assert len(rzp.refunds_of(payment_id)) == 1


def test_a_refund_of_a_payment_never_captured_is_invalid(rzp, razorpay_loopback):
    callback = razorpay_loopback.pay(new_order(rzp), status="authorized")

    with pytest.raises(PaymentInvalid):
        rzp.refund_create(
            payment_id=razorpay_loopback.payment_id_of(callback),
            amount_paise=100,
            reference="ref-1",
        )


def test_refunds_of_reads_past_razorpays_default_page_of_ten(rzp, razorpay_loopback):
    # An operator refunding a twelve-line order line by line makes twelve refunds of one
    # payment; a retry looks for its own among all of them.
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp, 120000)))
    for n in range(12):
        rzp.refund_create(payment_id=payment_id, amount_paise=10000, reference=f"ref-{n}")

    refunds = rzp.refunds_of(payment_id)

    assert sorted(r["notes"]["coupzii_refund"] for r in refunds) == sorted(
        f"ref-{n}" for n in range(12)
    )
    [request] = razorpay_loopback.calls("GET", REFUNDS)
    assert request.query == {"count": ["100"], "skip": ["0"]}


def test_refunds_of_follows_pages_of_a_hundred(rzp, razorpay_loopback, monkeypatch):
    monkeypatch.setattr(gateways, "REFUNDS_PAGE", 5)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp, 120000)))
    for n in range(11):
        rzp.refund_create(payment_id=payment_id, amount_paise=10000, reference=f"ref-{n}")

    refunds = rzp.refunds_of(payment_id)

    assert len({r["id"] for r in refunds}) == 11
    assert [r.query["skip"] for r in razorpay_loopback.calls("GET", REFUNDS)] == [
        ["0"],
        ["5"],
        ["10"],
    ]


# --- refusals and faults ---------------------------------------------------------------------


def call_each(rzp, payment_id: str, order_id: str):
    """Every network call of the adapter, one after another."""
    yield lambda: rzp.order_create(amount_paise=10000, receipt="CZX", notes={})
    yield lambda: rzp.payment_fetch(payment_id)
    yield lambda: rzp.order_payments(order_id)
    yield lambda: rzp.refund_create(payment_id=payment_id, amount_paise=100, reference="r")
    yield lambda: rzp.refunds_of(payment_id)


@pytest.fixture
def paid(rzp, razorpay_loopback):
    order_id = new_order(rzp)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(order_id))
    razorpay_loopback.requests.clear()
    return payment_id, order_id


def test_wrong_api_keys_make_the_gateway_unavailable_not_the_payment_invalid(
    razorpay_loopback, paid, caplog
):
    payment_id, order_id = paid
    with override_settings(RAZORPAY_KEY_SECRET="not-the-secret"):
        wrong = gateway()

    for call in call_each(wrong, payment_id, order_id):
        with pytest.raises(GatewayUnavailable), caplog.at_level(logging.ERROR):
            call()

    assert {r.status for r in razorpay_loopback.requests} == {401}
    assert len(razorpay_loopback.requests) == 5
    assert "refused our API keys" in caplog.text
    assert "not-the-secret" not in caplog.text
    assert razorpay_loopback.refunds_of(payment_id) == []
    assert len(razorpay_loopback.orders) == 1


def test_razorpays_401_answer_is_what_the_sdk_alone_would_call_a_bad_request(razorpay_loopback):
    # Why the adapter looks at the status itself: the bare SDK can't tell wrong keys from a
    # bad payment, both are BAD_REQUEST_ERROR.
    client = razorpay.Client(auth=("rzp_test_wrong", "wrong"), base_url=razorpay_loopback.url)

    with pytest.raises(razorpay.errors.BadRequestError, match="Authentication failed"):
        client.payment.fetch("pay_Unknown0000001")


def test_a_gateway_error_makes_every_call_unavailable_and_changes_nothing(
    rzp, razorpay_loopback, paid
):
    payment_id, order_id = paid
    razorpay_loopback.fail_next(5)

    for call in call_each(rzp, payment_id, order_id):
        with pytest.raises(GatewayUnavailable):
            call()

    assert [r.status for r in razorpay_loopback.requests] == [500] * 5
    assert razorpay_loopback.refunds_of(payment_id) == []
    assert len(razorpay_loopback.orders) == 1
    assert rzp.payment_fetch(payment_id).status == "captured"  # and then it answers again


@pytest.mark.parametrize(("status", "code"), [(500, "SERVER_ERROR"), (502, "BAD_GATEWAY")])
def test_any_server_error_is_unavailable(rzp, razorpay_loopback, paid, status, code):
    razorpay_loopback.fail_next(status=status, code=code)

    with pytest.raises(GatewayUnavailable):
        rzp.payment_fetch(paid[0])


def test_too_many_requests_is_unavailable_not_invalid(rzp, razorpay_loopback, paid):
    # Razorpay's rate limit answers 429 with the code of a bad request.
    razorpay_loopback.fail_next(
        status=429, code="BAD_REQUEST_ERROR", description="Too many requests"
    )

    with pytest.raises(GatewayUnavailable):
        rzp.payment_fetch(paid[0])


def test_a_dropped_connection_makes_every_call_unavailable_and_changes_nothing(
    rzp, razorpay_loopback, paid
):
    payment_id, order_id = paid
    razorpay_loopback.drop_next(5)

    for call in call_each(rzp, payment_id, order_id):
        with pytest.raises(GatewayUnavailable):
            call()

    assert [r.status for r in razorpay_loopback.requests] == [None] * 5
    assert razorpay_loopback.refunds_of(payment_id) == []
    assert len(razorpay_loopback.orders) == 1


def test_a_refund_whose_answer_is_lost_is_unavailable_yet_made_and_found_by_reference(
    rzp, razorpay_loopback, paid
):
    payment_id, _order_id = paid
    razorpay_loopback.lose_answer_next(path=REFUND)

    with pytest.raises(GatewayUnavailable):
        rzp.refund_create(payment_id=payment_id, amount_paise=100, reference="ref-lost")

    [refund] = rzp.refunds_of(payment_id)
    assert refund["notes"] == {"coupzii_refund": "ref-lost"}


def test_a_gateway_that_does_not_answer_in_time_is_unavailable(
    rzp, razorpay_loopback, paid, monkeypatch
):
    monkeypatch.setattr(gateways, "TIMEOUT_SECONDS", 0.2)
    razorpay_loopback.delay_next(1.0, path=PAYMENT)

    with pytest.raises(GatewayUnavailable):
        rzp.payment_fetch(paid[0])


def test_a_gateway_nobody_listens_on_is_unavailable():
    with LoopbackRazorpay() as stopped:
        config = stopped.settings()
    # The server has stopped: nothing listens on its port any more.

    with override_settings(**config), pytest.raises(GatewayUnavailable):
        gateway().payment_fetch("pay_Unknown0000001")


# --- signatures ---------------------------------------------------------------------------------


def test_payment_signature_from_razorpay_checkout_is_valid(rzp, razorpay_loopback):
    order_id = new_order(rzp)
    callback = razorpay_loopback.pay(order_id)

    assert rzp.payment_signature_valid(
        order_id=callback["razorpay_order_id"],
        payment_id=callback["razorpay_payment_id"],
        signature=callback["razorpay_signature"],
    )


def tampered(signature: str) -> str:
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


@pytest.mark.parametrize(
    "change",
    [
        lambda c: {**c, "razorpay_signature": tampered(c["razorpay_signature"])},
        lambda c: {**c, "razorpay_signature": c["razorpay_signature"].upper()},
        lambda c: {**c, "razorpay_signature": ""},
        lambda c: {**c, "razorpay_signature": "é" * 64},
        lambda c: {**c, "razorpay_signature": c["razorpay_signature"] + "\u00a0"},
        lambda c: {**c, "razorpay_payment_id": "pay_Another0000001"},
        lambda c: {**c, "razorpay_order_id": "order_Another000001"},
        lambda c: {
            **c,
            "razorpay_signature": sign(
                f"{c['razorpay_order_id']}|{c['razorpay_payment_id']}", "another-secret"
            ),
        },
    ],
    ids=[
        "tampered",
        "uppercase",
        "empty",
        "non-ascii",
        "trailing-nbsp",
        "other-payment",
        "other-order",
        "other-secret",
    ],
)
def test_a_payment_signature_that_does_not_match_is_refused(rzp, razorpay_loopback, change):
    callback = change(razorpay_loopback.pay(new_order(rzp)))

    assert not rzp.payment_signature_valid(
        order_id=callback["razorpay_order_id"],
        payment_id=callback["razorpay_payment_id"],
        signature=callback["razorpay_signature"],
    )


def test_webhook_signature_over_the_raw_body_is_valid(rzp, razorpay_loopback):
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp)))

    body, signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)

    assert rzp.webhook_signature_valid(body=body, signature=signature)
    assert event_id.startswith("evt_")
    event = json.loads(body)
    assert (event["entity"], event["event"], event["contains"]) == (
        "event",
        "payment.captured",
        ["payment"],
    )
    assert event["payload"]["payment"]["entity"]["id"] == payment_id


def test_webhook_signature_over_a_body_with_non_ascii_text_is_valid(rzp):
    text = json.dumps({"event": "payment.captured", "note": "उपहार कार्ड"}, ensure_ascii=False)

    assert rzp.webhook_signature_valid(body=text.encode(), signature=sign(text, WEBHOOK_SECRET))


@pytest.mark.parametrize(
    "change",
    [
        lambda body, sig: (body.replace(b'"amount":', b'"amount":1'), sig),
        lambda body, sig: (json.dumps(json.loads(body)).encode(), sig),  # re-serialised
        lambda body, sig: (body + b"\n", sig),
        lambda body, sig: (body, tampered(sig)),
        lambda body, sig: (body, ""),
        lambda body, sig: (body, "ü" * 64),
        lambda body, sig: (body, sign(body.decode(), "another-secret")),
        lambda body, sig: (body, sign(body.decode(), KEY_SECRET)),  # the key's, not the hook's
        lambda body, sig: (body + b"\xff", sig),
    ],
    ids=[
        "amount-changed",
        "reserialised",
        "trailing-newline",
        "tampered-signature",
        "empty-signature",
        "non-ascii-signature",
        "other-secret",
        "key-secret",
        "non-utf8-body",
    ],
)
def test_a_webhook_signature_that_does_not_match_is_refused(rzp, razorpay_loopback, change):
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(new_order(rzp)))
    body, signature, _event_id = razorpay_loopback.webhook("payment.captured", payment_id)

    body, signature = change(body, signature)

    assert not rzp.webhook_signature_valid(body=body, signature=signature)


def test_a_non_utf8_body_signed_byte_for_byte_is_still_refused(rzp):
    # Razorpay sends UTF-8 JSON; the SDK's check needs text, so other bytes are refused.
    body = b'{"event":"payment.captured","x":"\xff"}'
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()

    assert not rzp.webhook_signature_valid(body=body, signature=signature)


def test_no_webhook_secret_refuses_every_webhook(razorpay_loopback):
    payment_id = razorpay_loopback.payment_id_of(
        razorpay_loopback.pay(new_order(gateway()), status="captured")
    )
    body, _signature, _event_id = razorpay_loopback.webhook("payment.captured", payment_id)

    with override_settings(RAZORPAY_WEBHOOK_SECRET=""):
        assert not gateway().webhook_signature_valid(body=body, signature=sign(body.decode(), ""))


# --- the dev gateway ----------------------------------------------------------------------------


@pytest.fixture
def dev(db) -> DevGateway:
    with override_settings(RAZORPAY_KEY_ID=""):
        yield gateway()


def test_dev_gateway_signs_payments_and_webhooks_as_razorpay_does(dev):
    order_id = dev.order_create(amount_paise=49000, receipt="CZDEV0001", notes={})["id"]

    paid = dev.pay(gateway_order_id=order_id, succeed=True)

    # checked with the SDK's own utility, keyed with the dev secrets, outside our adapter
    utility = razorpay.Client(
        auth=(settings.DEV_GATEWAY_KEY_ID, settings.DEV_GATEWAY_KEY_SECRET)
    ).utility
    assert utility.verify_payment_signature(paid.callback)
    assert utility.verify_webhook_signature(
        paid.webhook_body.decode(), paid.webhook_signature, settings.DEV_GATEWAY_WEBHOOK_SECRET
    )
    assert dev.payment_signature_valid(
        order_id=order_id,
        payment_id=paid.callback["razorpay_payment_id"],
        signature=paid.callback["razorpay_signature"],
    )
    assert dev.webhook_signature_valid(body=paid.webhook_body, signature=paid.webhook_signature)
    assert not dev.payment_signature_valid(
        order_id=order_id,
        payment_id=paid.callback["razorpay_payment_id"],
        signature=tampered(paid.callback["razorpay_signature"]),
    )
    event = json.loads(paid.webhook_body)
    assert event["payload"]["payment"]["entity"]["amount"] == 49000


def test_dev_gateway_failed_payment_answers_razorpays_failure_fields(dev):
    order_id = dev.order_create(amount_paise=49000, receipt="CZDEV0001", notes={})["id"]

    failed = dev.pay(gateway_order_id=order_id, succeed=False)

    payment_id = json.loads(failed.callback["error[metadata]"])["payment_id"]
    assert dev.payment_fetch(payment_id).status == "failed"
    assert json.loads(failed.webhook_body)["event"] == "payment.failed"


def test_dev_gateway_refunds_up_to_the_amount_and_no_further(dev):
    order_id = dev.order_create(amount_paise=49000, receipt="CZDEV0001", notes={})["id"]
    payment_id = dev.pay(gateway_order_id=order_id, succeed=True).callback["razorpay_payment_id"]

    first = dev.refund_create(payment_id=payment_id, amount_paise=40000, reference="ref-1")
    with pytest.raises(PaymentInvalid, match="greater than"):
        dev.refund_create(payment_id=payment_id, amount_paise=9001, reference="ref-2")
    last = dev.refund_create(payment_id=payment_id, amount_paise=9000, reference="ref-3")

    assert [r["id"] for r in dev.refunds_of(payment_id)] == [first["id"], last["id"]]
    assert last["notes"] == {"coupzii_refund": "ref-3"}
    assert dev.payment_fetch(payment_id).status == "refunded"


def test_dev_gateway_refuses_refunds_of_unknown_failed_or_zero(dev):
    order_id = dev.order_create(amount_paise=49000, receipt="CZDEV0001", notes={})["id"]
    failed = dev.pay(gateway_order_id=order_id, succeed=False)
    failed_id = json.loads(failed.callback["error[metadata]"])["payment_id"]
    paid_id = dev.pay(gateway_order_id=order_id, succeed=True).callback["razorpay_payment_id"]

    for payment_id, amount in (("pay_Unknown0000001", 100), (failed_id, 100), (paid_id, 0)):
        with pytest.raises(PaymentInvalid):
            dev.refund_create(payment_id=payment_id, amount_paise=amount, reference="ref")

    assert dev.refunds_of(paid_id) == []
