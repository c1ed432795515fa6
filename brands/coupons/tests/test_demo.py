"""The demo coupons: every state with history, and a second run adds nothing."""

import pytest
from django.utils import timezone

from brands.coupons.demo import OFFERS, seed_coupons
from brands.models import BrandOffer, OfferChange, Role
from brands.tests.factories import brand_with_store, member
from offers.models import OfferStatus

pytestmark = pytest.mark.django_db


def test_seed_coupons_makes_offers_in_every_state_once():
    brands = [brand_with_store(), brand_with_store()]
    for brand in brands:
        member(brand, Role.OWNER)

    assert seed_coupons(brands) == 2 * len(OFFERS)
    assert seed_coupons(brands) == 0

    statuses = set(BrandOffer.objects.values_list("offer__status", flat=True))
    assert statuses == {
        OfferStatus.DRAFT,
        OfferStatus.ACTIVE,
        OfferStatus.PAUSED,
        OfferStatus.EXPIRED,
    }
    actions = set(OfferChange.objects.values_list("action", flat=True))
    assert {"created", "updated", "published", "paused", "ended"} <= actions
    assert brands[0].products.count() == 3
    # An ended offer has ended by the calendar too; no offer starts in the future.
    now = timezone.now()
    assert not BrandOffer.objects.filter(offer__status="expired", offer__ends_at__gt=now).exists()
    assert not BrandOffer.objects.filter(offer__starts_at__gt=now).exists()
