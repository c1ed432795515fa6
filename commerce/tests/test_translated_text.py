"""What the shop writes reads in the shopper's language: the order timeline's notes and the
refund reasons the site wrote, on the order page and in the API; an operator's own words come
back as written."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory, stock
from commerce.models import Refund
from commerce.serializers import RefundSerializer
from commerce.services.checkout import order_place
from commerce.services.refunds import order_refund_lines
from commerce.tests.factories import cart_with, wallet_credit

REASON = "Payment arrived after the order was closed."
REASON_HI = "ऑर्डर बंद होने के बाद भुगतान आया।"


def refund(reason: str) -> Refund:
    return Refund(
        amount=Decimal("100.00"),
        wallet_amount=Decimal("100.00"),
        gateway_amount=Decimal("0.00"),
        reason=reason,
    )


@pytest.mark.parametrize(("language", "expected"), [("hi", REASON_HI), ("en", REASON)])
def test_a_reason_the_site_wrote_is_read_in_the_requests_language(language, expected):
    with translation.override(language):
        data = RefundSerializer(refund(REASON)).data

    assert data["reason"] == expected


def test_an_operators_own_reason_comes_back_as_written():
    with translation.override("hi"):
        data = RefundSerializer(refund("Brand says the card was never activated.")).data

    assert data["reason"] == "Brand says the card was never activated."


@pytest.mark.django_db
def test_the_order_timeline_reads_in_hindi_for_an_order_placed_and_refunded_in_english(
    client, django_capture_on_commit_callbacks
):
    # given an order paid from the wallet and refunded, all while the site spoke English
    user = UserFactory(language="en")
    wallet_credit(user, "500.00")
    variant = VariantFactory(price=Decimal("490.00"))
    stock(variant, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            user=user,
            cart=cart_with(user, (variant, 1), use_wallet=True),
            email=user.email,
            phone="+919812345678",
            idempotency_key="k1",
        )
        order_refund_lines(
            order=order,
            line_ids=[order.lines.get().pk],
            operator=UserFactory(is_staff=True),
            reason=gettext_noop(REASON),
        )

    # when the shopper reads the order in Hindi
    client.force_login(user)
    client.cookies["django_language"] = "hi"
    page = client.get(f"/orders/{order.number}/").content.decode()
    api = client.get(f"/api/v1/orders/{order.number}/", HTTP_ACCEPT_LANGUAGE="hi").json()

    # then the timeline's notes and the refund's reason are Hindi
    assert "आपके Coupzii वॉलेट से भुगतान हुआ।" in page
    assert f"₹490.00 रिफ़ंड किए गए: {REASON_HI}" in page
    assert "Paid from your Coupzii wallet." not in page
    assert REASON not in page
    notes = [event["note"] for event in api["events"]]
    assert "आपके Coupzii वॉलेट से भुगतान हुआ।" in notes


@pytest.mark.django_db
def test_an_order_placed_in_hindi_records_the_cards_english_name():
    user = UserFactory(language="hi")
    wallet_credit(user, "500.00")
    variant = VariantFactory(price=Decimal("490.00"), product__name_en="Amazon Pay Gift Card")
    variant.product.name_hi = "Amazon Pay गिफ़्ट कार्ड"
    variant.product.save()
    stock(variant, 1)

    with translation.override("hi"):
        order = order_place(
            user=user,
            cart=cart_with(user, (variant, 1), use_wallet=True),
            email=user.email,
            phone="",
            idempotency_key="k-hi",
        )

    assert order.lines.get().product_name == "Amazon Pay Gift Card"
