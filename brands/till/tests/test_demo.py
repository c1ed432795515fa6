"""The till's demo data: a documented key that works, a budget at 80%, redemptions; twice
changes nothing."""

import pytest

from brands.models import ApiKey, Budget
from brands.tests.factories import brand_with_store
from brands.till.demo import demo_key, seed_till
from offers.models import AuditAction, RedemptionAudit

from .helpers import TILL, key_client

pytestmark = pytest.mark.django_db


def test_seed_till_is_idempotent_and_its_key_works():
    brand = brand_with_store(slug="myntra")
    seed_till([brand])
    seed_till([brand])
    assert demo_key(brand) == "czk_demo_myntra_0000000000000000000000000000"
    assert ApiKey.objects.filter(brand=brand).count() == 1
    budget = Budget.objects.get(brand=brand)
    assert (budget.redemptions_used, budget.max_redemptions) == (8, 10)
    assert RedemptionAudit.objects.filter(action=AuditAction.REDEEM, ok=True).count() == 8
    response = key_client(demo_key(brand)).post(
        TILL + "validate/", {"code": "TILL-MYNTRA-0009", "order_amount": "1200"}, format="json"
    )
    assert response.status_code == 200 and response.json()["discount"] == "150.00"
