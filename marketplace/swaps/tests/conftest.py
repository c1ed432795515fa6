"""Fixtures of the swap tests: Asha's listed coupon (swaps welcome), and Ravi, who offers one
of his active coupons for it, with ₹500 in his wallet."""

import pytest

from accounts.tests.factories import UserFactory
from commerce.tests.factories import wallet_credit
from marketplace.tests.factories import ListingFactory, LockerCouponFactory


@pytest.fixture
def asha():
    return UserFactory(full_name="Asha Rao")


@pytest.fixture
def ravi():
    user = UserFactory(full_name="Ravi Kumar")
    wallet_credit(user, "500.00")
    return user


@pytest.fixture
def listing(asha):
    return ListingFactory(coupon__owner=asha, swap_welcome=True)


@pytest.fixture
def offered(ravi):
    return LockerCouponFactory(owner=ravi)
