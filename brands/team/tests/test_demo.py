"""The demo brands and their teams: two verified brands owning the first two demo stores,
known logins, a second factor for owners, one person in both brands; idempotent."""

import base64

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.tests.factories import totp_code
from brands.models import BrandStore, Department, Membership, Role
from brands.team import demo
from catalog.demo import MERCHANTS
from catalog.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_stores():
    return [
        MerchantFactory(name=name, slug=slug, website=f"https://{domain}")
        for name, slug, domain, *_rest in MERCHANTS[:2]
    ]


def test_seed_team_makes_two_verified_brands_with_their_teams(demo_stores):
    brands = demo.seed_team()

    assert [brand.slug for brand in brands] == [store.slug for store in demo_stores]
    for brand, store in zip(brands, demo_stores, strict=True):
        assert brand.is_verified
        assert BrandStore.objects.get(merchant=store).brand == brand
        assert set(Department.objects.filter(brand=brand).values_list("name", flat=True)) == {
            "Marketing",
            "Stores",
            "Analytics",
        }
        roles = dict(Membership.objects.filter(brand=brand).values_list("user__email", "role"))
        assert roles == {
            f"owner@{brand.slug}.coupzii.test": Role.OWNER,
            f"analyst@{brand.slug}.coupzii.test": Role.ANALYST,
            f"till@{brand.slug}.coupzii.test": Role.TILL,
            demo.SHARED_EMAIL: Role.EDITOR,
        }


def test_seed_team_is_idempotent(demo_stores):
    demo.seed_team()
    counts = (Membership.objects.count(), Department.objects.count(), User.objects.count())

    demo.seed_team()

    assert (Membership.objects.count(), Department.objects.count(), User.objects.count()) == counts


def test_a_demo_owner_signs_in_with_the_documented_password_and_key(demo_stores):
    brand = demo.seed_team()[0]
    owner = User.objects.get(email=f"owner@{brand.slug}.coupzii.test")
    device = TOTPDevice.objects.get(user=owner, confirmed=True)

    assert owner.check_password(demo.PASSWORD)
    assert device.key == demo.DEMO_OWNER_TOTP_HEX
    client = Client()
    assert client.login(email=owner.email, password=demo.PASSWORD)
    # The key the README publishes (base32, for authenticator apps) is the device's key.
    assert base64.b32encode(bytes.fromhex(device.key)).decode() == demo.DEMO_OWNER_TOTP_BASE32
    assert len(totp_code(device)) == 6


def test_seed_team_without_the_demo_stores_does_nothing():
    messages = []

    assert demo.seed_team(messages.append) == []
    assert messages
