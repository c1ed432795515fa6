"""Races on PostgreSQL: a brand keeps an owner however its owners act at the same moment."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from brands.models import Membership, Role
from brands.team import errors, services
from brands.tests.factories import BrandFactory, member
from coupzii.tests.races import failures, race, race_behind, successes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _two_owners():
    brand = BrandFactory()
    return brand, member(brand, Role.OWNER), member(brand, Role.OWNER)


@contextmanager
def _owner_rows_locked(brand):
    # Held while both requests start: each must reach the owners' lock before either passes it.
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(brand=brand, role=Role.OWNER))
        yield


def _owners(brand) -> list[Membership]:
    return list(Membership.objects.filter(brand=brand, role=Role.OWNER))


def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    brand, first, second = _two_owners()

    results = race_behind(
        lambda: _owner_rows_locked(brand),
        [
            lambda: services.member_update(actor=first, member=second, role=Role.ADMIN),
            lambda: services.member_update(actor=second, member=first, role=Role.ADMIN),
        ],
    )

    assert len(successes(results)) == 1
    # The one who lost was demoted first: an admin now, they may not demote an owner.
    assert isinstance(failures(results)[0], errors.OwnersOnly)
    assert len(_owners(brand)) == 1


def test_two_owners_demoting_themselves_at_once_leave_one_owner():
    brand, first, second = _two_owners()

    results = race(
        [
            lambda: services.member_update(actor=first, member=first, role=Role.ADMIN),
            lambda: services.member_update(actor=second, member=second, role=Role.ADMIN),
        ]
    )

    assert len(successes(results)) == 1
    assert isinstance(failures(results)[0], errors.LastOwner)
    assert len(_owners(brand)) == 1


def test_two_owners_leaving_at_once_leave_one_owner():
    brand, first, second = _two_owners()

    results = race_behind(
        lambda: _owner_rows_locked(brand),
        [
            lambda: services.member_leave(membership=first),
            lambda: services.member_leave(membership=second),
        ],
    )

    assert len(successes(results)) == 1
    assert isinstance(failures(results)[0], errors.LastOwner)
    assert len(_owners(brand)) == 1


def test_two_owners_removing_each_other_at_once_leave_one_owner():
    brand, first, second = _two_owners()

    results = race(
        [
            lambda: services.member_remove(actor=first, member=second),
            lambda: services.member_remove(actor=second, member=first),
        ]
    )

    assert len(successes(results)) == 1
    assert len(_owners(brand)) == 1


def test_one_address_invited_three_times_at_once_gets_one_invitation():
    from brands.models import Invitation

    brand = BrandFactory()
    owner, admin = member(brand, Role.OWNER), member(brand, Role.ADMIN)

    @contextmanager
    def _first_invitation_being_sent():
        with transaction.atomic():
            services.invitation_send(actor=owner, email="new@example.com", role=Role.EDITOR)
            yield

    results = race_behind(
        _first_invitation_being_sent,
        [
            lambda: services.invitation_send(actor=admin, email="new@example.com", role="editor"),
            lambda: services.invitation_send(actor=admin, email="NEW@example.com", role="analyst"),
        ],
    )

    assert all(isinstance(result, errors.AlreadyInvited) for result in results)
    assert Invitation.objects.filter(brand=brand, email="new@example.com").count() == 1


def test_two_applications_under_one_name_at_once_open_one_brand():
    from accounts.tests.factories import UserFactory
    from brands.models import Brand

    def apply():
        return services.brand_apply(
            applicant=UserFactory(),
            name="Twin Brand",
            work_email="a@twin.example",
            website="https://twin.example",
        )

    @contextmanager
    def _first_application_being_saved():
        with transaction.atomic():
            apply()
            yield

    results = race_behind(_first_application_being_saved, [apply])

    assert isinstance(results[0], errors.BrandNameTaken)
    assert Brand.objects.filter(name="Twin Brand").count() == 1
