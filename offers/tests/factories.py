"""factory_boy factories for offers: offers (live by default) and click-outs."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.tests.factories import MerchantFactory
from offers.models import Click, DiscountType, Offer, OfferKind, OfferStatus


class OfferFactory(factory.django.DjangoModelFactory):
    """A live deal: active, started a day ago, ending in a week, 10% off.

    `OfferFactory(kind=OfferKind.CODE)` gets a code of its own; pass `code=` to choose it.
    """

    class Meta:
        model = Offer

    merchant = factory.SubFactory(MerchantFactory)
    category = None
    kind = OfferKind.DEAL
    title = factory.Sequence(lambda n: f"Offer {n}: 10% off sitewide")
    description = ""
    code = factory.LazyAttributeSequence(
        lambda offer, n: f"SAVE{n:04d}" if offer.kind == OfferKind.CODE else ""
    )
    discount_type = DiscountType.PERCENTAGE
    discount_value = Decimal("10.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    status = OfferStatus.ACTIVE


class ClickFactory(factory.django.DjangoModelFactory):
    """A click-out on an offer (merchant taken from the offer), made just now."""

    class Meta:
        model = Click

    offer = factory.SubFactory(OfferFactory)
    merchant = factory.SelfAttribute("offer.merchant")
    user = None
    created_at = factory.LazyFunction(timezone.now)
