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
