import pytest

from brands.analytics.demo import seed_analytics
from brands.models import BookDay, BrandProduct, OfferDay, ProductDay
from brands.tests.factories import brand_offer, brand_with_store
from offers.models import Click, OfferStatus, RedemptionAudit

pytestmark = pytest.mark.django_db


def test_seed_analytics_gives_ninety_days_of_curves_once():
    # given
    brand = brand_with_store()
    for _ in range(4):
        brand_offer(brand)

    # when
    assert seed_analytics([brand]) == 1
    audit_rows = RedemptionAudit.objects.count()
    again = seed_analytics([brand])

    # then
    assert again == 0
    assert RedemptionAudit.objects.count() == audit_rows
    days = OfferDay.objects.filter(brand=brand)
    assert days.values("date").distinct().count() >= 85
    assert sum(day.redemptions for day in days) > 0
    assert BookDay.objects.filter(brand=brand).exists()
    assert ProductDay.objects.filter(brand=brand).exists()
    assert BrandProduct.objects.filter(brand=brand).count() == 4


def test_a_draft_has_no_demo_history():
    # A draft was never shown to shoppers: no views, clicks or claims may be invented for it.
    brand = brand_with_store()
    published = brand_offer(brand)
    draft = brand_offer(brand, status=OfferStatus.DRAFT)

    seed_analytics([brand])

    assert OfferDay.objects.filter(offer=published).exists()
    assert not OfferDay.objects.filter(offer=draft).exists()
    assert not Click.objects.filter(offer=draft).exists()
