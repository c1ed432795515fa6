"""The shopper, the Zara offer the chat tests ask about, and a scripted language model."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from offers.models import OfferKind
from offers.tests.factories import OfferFactory

from .openai_loopback import LoopbackOpenAI


@pytest.fixture
def asha(db):
    return UserFactory()


@pytest.fixture
def zara(db):
    return MerchantFactory(name="Zara", slug="zara")


@pytest.fixture
def zara_offer(zara):
    return OfferFactory(merchant=zara, kind=OfferKind.CODE, title="Flat 20% off on Zara")


@pytest.fixture
def model(settings):
    """A language model on a loopback server, in the settings: the test scripts its answers."""
    with LoopbackOpenAI() as loopback:
        for name, value in loopback.settings().items():
            setattr(settings, name, value)
        yield loopback
