"""A new password ends every app login of the account, whichever path set it: the pages
(allauth's forms), the API and the admin all store it through services.password_set."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from rest_framework.test import APIClient

from accounts import errors, services, tokens
from accounts.models import LoginFamily, User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified

pytestmark = pytest.mark.django_db

STRONG = "a long enough passphrase"


def verified_user(**fields) -> User:
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def ended(issued: dict) -> bool:
    try:
        tokens.tokens_refresh(refresh=issued["refresh"])
    except errors.TokenInvalid:
        return True
    return False


def test_password_set_stores_the_password_and_ends_every_app_login():
    user = verified_user()
    first, second = tokens.tokens_issue(user=user), tokens.tokens_issue(user=user)

    ended_count = services.password_set(user=user, password=STRONG)

    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert ended_count == 2
    assert ended(first) and ended(second)
    assert set(LoginFamily.objects.values_list("revoked_reason", flat=True)) == {"password_changed"}


def test_the_change_password_page_ends_every_app_login(client):
    # given a shopper signed in on the site and in the app
    user = verified_user()
    issued = tokens.tokens_issue(user=user)
    client.force_login(user)

    # when they change the password on the page
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG},
    )

    # then the password changed and the app's login ended
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert ended(issued)


def test_the_api_changes_the_password_ends_every_login_and_hands_this_app_new_tokens():
    # given two app logins of the same shopper
    user = verified_user()
    other_phone = tokens.tokens_issue(user=user)
    this_phone = tokens.tokens_issue(user=user)
    api = APIClient()

    # when this app changes the password
    response = api.post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": STRONG},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {this_phone['access']}",
    )

    # then both logins ended, and this app carries on with the fresh pair it was given
    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert ended(other_phone) and ended(this_phone)
    me = api.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    assert me.status_code == 200
    assert me.data["email"] == user.email


def test_the_api_refuses_a_wrong_current_password_or_a_weak_new_one_and_ends_nothing():
    user = verified_user()
    issued = tokens.tokens_issue(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued['access']}")

    wrong = api.post(
        "/api/v1/auth/password/",
        {"current_password": "not it at all", "new_password": STRONG},
        format="json",
    )
    weak = api.post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": "123"},
        format="json",
    )

    assert (wrong.status_code, wrong.data["error"]["code"]) == (400, "password_change_refused")
    assert list(wrong.data["error"]["fields"]) == ["current_password"]
    assert list(weak.data["error"]["fields"]) == ["new_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not ended(issued)


def test_the_admins_password_form_ends_the_users_app_logins():
    # given an operator, and a shopper with an app login
    operator = Client()
    sign_in_verified(operator, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    shopper = verified_user()
    issued = tokens.tokens_issue(user=shopper)

    # when the operator sets a new password for the shopper
    response = operator.post(
        f"/admin/accounts/user/{shopper.pk}/password/",
        {"usable_password": "true", "password1": STRONG, "password2": STRONG},
    )

    # then
    assert response.status_code == 302
    shopper.refresh_from_db()
    assert shopper.check_password(STRONG)
    assert ended(issued)


def test_the_admin_turning_a_password_off_also_ends_the_users_app_logins():
    operator = Client()
    sign_in_verified(operator, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    shopper = verified_user()
    issued = tokens.tokens_issue(user=shopper)

    operator.post(
        f"/admin/accounts/user/{shopper.pk}/password/",
        {"usable_password": "false", "unset-password": "Disable password-based authentication"},
    )

    shopper.refresh_from_db()
    assert not shopper.has_usable_password()
    assert ended(issued)
