"""PostgreSQL races of the locker: one code added many times at once (a double-submitted form,
two tabs), the import run by two page loads at once, and two nudge runs at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race, successes
from marketplace.errors import CodeAlreadyInLocker
from marketplace.locker import services
from marketplace.models import Benefit, LockerCoupon, Source
from marketplace.tests.factories import LockerCouponFactory
from offers.models import CodeStatus
from offers.tests.books.factories import CouponCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_code_added_ten_times_at_once_is_in_the_locker_once():
    owner = UserFactory()

    def add():
        return services.locker_coupon_add(
            owner=owner,
            code="SAME CODE 1",
            source=Source.MANUAL,
            benefit=Benefit.FIXED,
            benefit_value=Decimal("100"),
        )

    results = race([add] * 10)
    assert len(successes(results)) == 1
    assert all(isinstance(failure, CodeAlreadyInLocker) for failure in failures(results))
    assert LockerCoupon.objects.filter(owner=owner).count() == 1


def test_two_imports_at_once_add_each_held_code_once():
    user = UserFactory()
    for number in range(3):
        CouponCodeFactory(
            holder=user,
            status=CodeStatus.ASSIGNED,
            claim_slot=1,
            claimed_at=timezone.now(),
            code=f"HELD-{number:04d}",
        )

    results = race([lambda: services.locker_import_held(user=user)] * 4)

    assert sum(successes(results)) == 3
    assert LockerCoupon.objects.filter(owner=user, source=Source.CLAIMED).count() == 3


def test_two_nudge_runs_at_once_send_each_nudge_once():
    in_two_days = timezone.localdate() + timedelta(days=2)
    LockerCouponFactory.create_batch(5, expires_on=in_two_days)

    results = race([services.locker_expiry_nudges] * 3)

    assert sum(successes(results)) == 5
    assert Notification.objects.count() == 5
