import threading
import uuid

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import override_settings

from accounts.models import User
from accounts.phone import normalize_phone
from accounts.tests.factories import PASSWORD, UserFactory
from coupzii.settings import base

pytestmark = pytest.mark.django_db


def test_create_user_stores_the_email_in_lower_case():
    user = User.objects.create_user("Asha.Verma@Example.IN", PASSWORD)

    assert user.email == "asha.verma@example.in"
    assert isinstance(user.public_id, uuid.UUID)


def test_two_accounts_cannot_share_an_email_in_different_case():
    UserFactory(email="asha@example.in")

    with pytest.raises(ValidationError) as refused:
        User.objects.create_user("ASHA@example.in", PASSWORD)
    assert "email" in refused.value.message_dict


def test_the_database_refuses_a_case_variant_written_around_the_manager():
    UserFactory(email="asha@example.in")

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="Asha@Example.in")])


def test_login_works_whatever_the_case_of_the_email():
    UserFactory(email="asha@example.in")

    assert authenticate(username="ASHA@EXAMPLE.IN", password=PASSWORD) is not None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("98765 43210", "+919876543210"),
        ("+91 98765-43210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_read_into_e164(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "not a phone", "+91 00000 00000"])
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_a_phone_not_in_e164_is_refused_by_the_model():
    with pytest.raises(ValidationError) as refused:
        User.objects.create_user("asha@example.in", PASSWORD, phone="98765 43210")
    assert "phone" in refused.value.message_dict


def test_phone_is_unique_but_optional():
    UserFactory(phone="+919876543210")
    UserFactory(phone=None)
    UserFactory(phone=None)

    with pytest.raises(ValidationError):
        UserFactory(phone="+919876543210")


def test_blank_phone_from_a_form_is_stored_as_null():
    first = UserFactory(phone="")
    second = UserFactory(phone="")

    assert first.phone is None and second.phone is None


def test_superuser_is_staff_and_superuser():
    admin = User.objects.create_superuser("ops@coupzii.in", PASSWORD)

    assert admin.is_staff and admin.is_superuser


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2_and_old_hashes_upgraded_on_login():
    # given a user whose password was hashed with PBKDF2 before Argon2 was the default
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    # when they log in
    assert authenticate(username=user.email, password=PASSWORD) is not None

    # then the stored hash is Argon2
    user.refresh_from_db()
    assert user.password.startswith("argon2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_with_one_email_in_two_cases_create_one_account():
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up(email):
        barrier.wait()
        try:
            # Skip the manager's checks and its lower-casing, as a write around it would: only
            # the Lower(email) constraint can tell these two apart.
            User(email=email).save()
            outcomes.append("created")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign_up, args=(email,))
        for email in ("raj@example.in", "RAJ@example.in")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "refused"]
    assert User.objects.filter(email__iexact="raj@example.in").count() == 1
