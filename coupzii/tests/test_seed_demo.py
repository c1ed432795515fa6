import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = set(User.objects.values_list("email", "password"))
    call_command("seed_demo")

    assert set(User.objects.values_list("email", "password")) == first
    assert User.objects.filter(email="admin@coupzii.test", is_superuser=True).exists()


def test_demo_users_can_sign_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")

    assert client.login(username="asha@coupzii.test", password="coupzii-shopper-demo")


def test_seed_demo_refuses_a_site_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_every_demo_brand_page_opens_for_its_owner(settings, client):
    """The portal's demo: each menu page of each demo brand answers 200 to its owner, the
    dashboard shows rolled-up history, and the analyst's and till user's logins work."""
    from accounts.tests.factories import sign_in_verified
    from brands.models import Brand, Membership, OfferDay, Role
    from brands.portal import NAV

    settings.DEBUG = True
    call_command("seed_demo")

    brands = list(Brand.objects.order_by("slug"))
    assert [brand.slug for brand in brands] == ["ajio", "myntra"]
    for brand in brands:
        assert OfferDay.objects.filter(brand=brand).dates("date", "day").count() >= 80
        owner = Membership.objects.get(brand=brand, role=Role.OWNER).user
        sign_in_verified(client, owner)
        for name, _label, _permission in NAV:
            response = client.get(_url(name, brand))
            assert response.status_code == 200, (brand.slug, name)
        for local in ("analyst", "till"):
            assert client.login(
                username=f"{local}@{brand.slug}.coupzii.test", password="coupzii-brand-demo"
            )


def _url(name: str, brand) -> str:
    from django.urls import reverse

    return reverse(f"brands:{name}", args=[brand.slug])
