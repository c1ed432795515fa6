"""Fixtures of the shop's tests: Razorpay on a loopback port, with the settings pointing the
real SDK (commerce.gateways.gateway()) at it, and a gift card with five codes in stock."""

import pytest
from django.test import override_settings

from catalog.tests.factories import VariantFactory, stock

from .loopback_razorpay import LoopbackRazorpay


@pytest.fixture
def razorpay_loopback():
    # gateway() caches one adapter per settings tuple; each loopback has a port of its own, so
    # the override takes effect at once and no test gets an adapter of another's server.
    with LoopbackRazorpay() as loopback, override_settings(**loopback.settings()):
        yield loopback


@pytest.fixture
def card():
    variant = VariantFactory()
    stock(variant, 5)
    return variant
