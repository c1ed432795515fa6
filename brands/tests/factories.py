"""factory_boy factories and sign-in helpers shared by every brands test."""

import factory

from accounts.tests.factories import UserFactory, sign_in_verified
from brands.models import Brand, BrandOffer, BrandStatus, BrandStore, Department, Membership, Role
from catalog.tests.factories import MerchantFactory
from offers.tests.factories import OfferFactory


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    work_email = factory.Sequence(lambda n: f"marketing{n}@brand.example")
    website = "https://brand.example"
    status = BrandStatus.VERIFIED


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    brand = factory.SubFactory(BrandFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


def brand_with_store(**brand_fields) -> Brand:
    """A brand owning one store (merchant)."""
    brand = BrandFactory(**brand_fields)
    BrandStore.objects.create(brand=brand, merchant=MerchantFactory())
    return brand


def brand_offer(brand: Brand, *, department=None, **offer_fields):
    """An offer of one of the brand's stores, filed under the brand (and department)."""
    store = brand.stores.select_related("merchant").first()
    if store is None:
        store = BrandStore.objects.create(brand=brand, merchant=MerchantFactory())
    offer = OfferFactory(merchant=store.merchant, **offer_fields)
    BrandOffer.objects.create(offer=offer, brand=brand, department=department)
    return offer


def member(brand: Brand, role: str = Role.EDITOR, **fields) -> Membership:
    return MembershipFactory(brand=brand, role=role, **fields)


def sign_in_member(client, membership: Membership):
    """Sign the member in as the portal requires: owners and admins with a passed second
    factor, everyone else with a password sign-in."""
    if membership.role in (Role.OWNER, Role.ADMIN):
        sign_in_verified(client, membership.user)
    else:
        client.force_login(membership.user)
    return membership.user
