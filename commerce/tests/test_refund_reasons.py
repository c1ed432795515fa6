"""Refund reasons: what the site writes reads in the shopper's language, on the order page and
in the API; an operator's own words come back as written."""

from decimal import Decimal

import pytest
from django.utils import translation

from commerce.models import Refund
from commerce.serializers import RefundSerializer


def refund(reason: str) -> Refund:
    return Refund(
        amount=Decimal("100.00"),
        wallet_amount=Decimal("100.00"),
        gateway_amount=Decimal("0.00"),
        reason=reason,
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("hi", "ऑर्डर बंद होने के बाद भुगतान आया।"), ("en", "Payment arrived after the order was closed.")],
)
def test_a_reason_the_site_wrote_is_read_in_the_requests_language(language, expected):
    with translation.override(language):
        data = RefundSerializer(refund("Payment arrived after the order was closed.")).data

    assert data["reason"] == expected


def test_an_operators_own_reason_comes_back_as_written():
    with translation.override("hi"):
        data = RefundSerializer(refund("Brand says the card was never activated.")).data

    assert data["reason"] == "Brand says the card was never activated."
