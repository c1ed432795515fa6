import re

import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


def test_operators_can_find_a_user_by_phone(operator_client):
    UserFactory(email="asha@example.in", phone="+919876543210")
    UserFactory(email="ravi@example.in")

    response = operator_client.get("/admin/accounts/user/", {"q": "+919876543210"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "asha@example.in" in html
    assert "ravi@example.in" not in html


def test_operators_can_add_a_user_with_a_phone_typed_the_indian_way(operator_client):
    response = operator_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.User@Example.in",
            "full_name": "New User",
            "phone": "98765 43211",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.user@example.in")
    assert user.phone == "+919876543211"
    assert user.check_password("a long enough passphrase")


def test_the_user_change_page_shows_the_public_id(operator_client):
    user = UserFactory()

    response = operator_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert str(user.public_id) in response.content.decode()


def test_shoppers_cannot_open_the_admin_even_with_two_factor(client):
    sign_in_verified(client, UserFactory())

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_operator_without_two_factor_is_sent_to_set_it_up(client):
    client.force_login(User.objects.create_superuser("new-ops@coupzii.in", PASSWORD))

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/setup/")
    assert "Operators must set up two-factor sign-in first." in response.content.decode()


def test_an_operator_signed_in_without_a_code_must_give_one(client):
    operator = User.objects.create_superuser("ops2@coupzii.in", PASSWORD)
    sign_in_verified(client, operator)
    client.logout()
    client.force_login(operator)  # a session that never passed the second factor

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")


def test_signed_out_visitors_go_to_the_site_sign_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"])["Location"].startswith("/accounts/login/")


def test_the_admin_index_names_every_section_once_and_in_words(operator_client):
    html = operator_client.get("/admin/").content.decode()

    headings = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert len(headings) == len(set(headings)), headings  # one "Accounts", not two
    assert "Sign-in email addresses" in headings
    assert {"Two-factor authenticator apps", "Two-factor backup codes"} <= set(headings)
    assert not [heading for heading in headings if "_" in heading]  # no "Otp_Static"
