"""The team's services: applying, verification, members and the last owner, departments,
invitations."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from brands.models import Brand, BrandStatus, BrandStore, Department, Invitation, Membership, Role
from brands.team import errors, services
from brands.tests.factories import BrandFactory, DepartmentFactory, member
from catalog.tests.factories import CategoryFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def _apply(user, **fields):
    values = {
        "applicant": user,
        "name": "Blue Tokai",
        "work_email": "Partners@BlueTokai.example",
        "website": "https://bluetokai.example",
        "category": None,
        "store_name": "",
        **fields,
    }
    return services.brand_apply(**values)


def _verified_email(user, email=None):
    EmailAddress.objects.update_or_create(
        user=user, email=email or user.email, defaults={"verified": True, "primary": True}
    )


# --- Applying ------------------------------------------------------------------------------------


def test_brand_apply_opens_a_pending_brand_owned_by_the_applicant():
    user = UserFactory()
    category = CategoryFactory()

    brand = _apply(user, category=category, store_name="Blue Tokai Cafe")

    assert brand.status == BrandStatus.PENDING
    assert brand.slug == "blue-tokai"
    assert brand.work_email == "partners@bluetokai.example"
    assert brand.store_name == "Blue Tokai Cafe"
    assert brand.category == category
    assert Membership.objects.get(brand=brand).user == user
    assert Membership.objects.get(brand=brand).role == Role.OWNER


def test_brand_apply_takes_a_listed_store_no_brand_owns():
    merchant = MerchantFactory(name="Chumbak")

    brand = _apply(UserFactory(), name="Chumbak Design", store_name="chumbak")

    assert BrandStore.objects.get(brand=brand).merchant == merchant
    assert brand.store_name == ""


def test_brand_apply_tells_the_operators_with_a_link_to_the_admin():
    operator = UserFactory(is_staff=True)

    brand = _apply(UserFactory())

    notice = Notification.objects.get(user=operator)
    assert "Blue Tokai" in notice.title_en
    assert notice.link == f"/admin/brands/brand/{brand.pk}/change/"


def test_brand_apply_refuses_a_name_pending_or_verified():
    BrandFactory(name="Blue Tokai", status=BrandStatus.PENDING)

    with pytest.raises(errors.BrandNameTaken):
        _apply(UserFactory(), name="blue  tokai")


def test_brand_apply_allows_a_name_once_rejected():
    BrandFactory(name="Blue Tokai", slug="blue-tokai", status=BrandStatus.REJECTED)

    brand = _apply(UserFactory())

    assert brand.slug == "blue-tokai-2"


def test_brand_apply_refuses_a_store_another_brand_owns():
    merchant = MerchantFactory(name="Chumbak")
    BrandStore.objects.create(brand=BrandFactory(), merchant=merchant)

    with pytest.raises(errors.StoreTaken) as refused:
        _apply(UserFactory(), store_name="Chumbak")

    assert "store" in refused.value.fields
    assert not Brand.objects.filter(name="Blue Tokai").exists()


@pytest.mark.parametrize("name", ["Apply", "home", "ME", "Switch", "Invitations"])
def test_brand_apply_never_takes_a_reserved_slug(name):
    brand = _apply(UserFactory(), name=name)

    assert brand.slug not in services.RESERVED_SLUGS
    assert brand.slug == f"{name.lower()}-brand"


def test_brand_apply_makes_a_slug_for_a_name_without_latin_letters():
    assert _apply(UserFactory(), name="चायवाला").slug == "brand"


# --- Operators -----------------------------------------------------------------------------------


def test_brand_verify_records_who_and_when_and_emails_the_owners(
    django_capture_on_commit_callbacks,
):
    operator = UserFactory(is_staff=True)
    brand = BrandFactory(status=BrandStatus.PENDING)
    owner = member(brand, Role.OWNER)
    member(brand, Role.EDITOR)

    with django_capture_on_commit_callbacks(execute=True):
        services.brand_verify(brand=brand, operator=operator)

    brand.refresh_from_db()
    assert brand.is_verified
    assert brand.verified_by == operator
    assert brand.verified_at is not None
    assert [message.to for message in mail.outbox] == [[owner.user.email]]
    assert brand.name in mail.outbox[0].subject


def test_brand_verify_refuses_a_verified_brand():
    with pytest.raises(errors.BrandStatusChanged):
        services.brand_verify(brand=BrandFactory(), operator=UserFactory(is_staff=True))


def test_brand_reject_keeps_the_reason():
    brand = BrandFactory(status=BrandStatus.PENDING)

    services.brand_reject(brand=brand, operator=UserFactory(), reason="  No such company ")

    brand.refresh_from_db()
    assert (brand.status, brand.status_reason) == (BrandStatus.REJECTED, "No such company")


def test_brand_reject_refuses_a_verified_brand():
    with pytest.raises(errors.BrandStatusChanged):
        services.brand_reject(brand=BrandFactory(), operator=UserFactory(), reason="x")


def test_brand_suspend_stops_a_verified_brand():
    brand = services.brand_suspend(brand=BrandFactory(), operator=UserFactory(), reason="Fraud")

    assert brand.status == BrandStatus.SUSPENDED
    assert not brand.is_verified


def test_brand_suspend_refuses_a_pending_brand():
    with pytest.raises(errors.BrandStatusChanged):
        services.brand_suspend(
            brand=BrandFactory(status=BrandStatus.PENDING), operator=UserFactory(), reason="x"
        )


def test_brand_tier_set_and_its_refusal():
    brand = services.brand_tier_set(brand=BrandFactory(), tier="pro")
    assert brand.tier == "pro"

    with pytest.raises(errors.DomainError):
        services.brand_tier_set(brand=brand, tier="gold")


def test_brand_store_add_refuses_a_store_taken():
    merchant = MerchantFactory()
    services.brand_store_add(brand=BrandFactory(), merchant=merchant)

    with pytest.raises(errors.StoreTaken):
        services.brand_store_add(brand=BrandFactory(), merchant=merchant)


# --- Members -------------------------------------------------------------------------------------


def test_member_update_changes_role_and_department():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    editor = member(brand, Role.EDITOR)
    department = DepartmentFactory(brand=brand)

    changed = services.member_update(
        actor=owner, member=editor, role=Role.ANALYST, department=department
    )

    assert (changed.role, changed.department) == (Role.ANALYST, department)


def test_member_update_refuses_to_demote_the_last_owner():
    owner = member(BrandFactory(), Role.OWNER)

    with pytest.raises(errors.LastOwner):
        services.member_update(actor=owner, member=owner, role=Role.ADMIN)

    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_member_update_lets_an_owner_step_down_when_another_owner_stays():
    brand = BrandFactory()
    first, second = member(brand, Role.OWNER), member(brand, Role.OWNER)

    services.member_update(actor=first, member=first, role=Role.EDITOR)

    assert list(brand.memberships.filter(role=Role.OWNER)) == [second]


@pytest.mark.parametrize(
    ("target_role", "new_role"),
    [(Role.EDITOR, Role.ADMIN), (Role.EDITOR, Role.OWNER), (Role.ADMIN, Role.EDITOR)],
)
def test_member_update_refuses_an_admin_touching_owners_and_admins(target_role, new_role):
    brand = BrandFactory()
    member(brand, Role.OWNER)
    admin = member(brand, Role.ADMIN)
    target = member(brand, target_role)

    with pytest.raises(errors.OwnersOnly):
        services.member_update(actor=admin, member=target, role=new_role)


def test_member_update_lets_an_admin_change_an_editor():
    brand = BrandFactory()
    admin = member(brand, Role.ADMIN)

    changed = services.member_update(actor=admin, member=member(brand), role=Role.ANALYST)

    assert changed.role == Role.ANALYST


def test_member_update_refuses_an_editor():
    brand = BrandFactory()
    editor = member(brand, Role.EDITOR)

    with pytest.raises(errors.TeamForbidden):
        services.member_update(actor=editor, member=member(brand), role=Role.ANALYST)


def test_member_update_refuses_a_department_of_another_brand():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)

    with pytest.raises(errors.DepartmentNotFound):
        services.member_update(actor=owner, member=member(brand), department=DepartmentFactory())


def test_member_update_refuses_a_member_of_another_brand():
    owner = member(BrandFactory(), Role.OWNER)

    with pytest.raises(errors.MemberNotFound):
        services.member_update(actor=owner, member=member(BrandFactory()), role=Role.ANALYST)


def test_member_update_refuses_an_unknown_role():
    brand = BrandFactory()
    with pytest.raises(errors.DomainError) as refused:
        services.member_update(actor=member(brand, Role.OWNER), member=member(brand), role="boss")
    assert "role" in refused.value.fields


def test_member_remove_takes_a_person_out():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    editor = member(brand)

    services.member_remove(actor=owner, member=editor)

    assert list(brand.memberships.all()) == [owner]


def test_member_remove_refuses_the_last_owner_removing_themselves():
    owner = member(BrandFactory(), Role.OWNER)

    with pytest.raises(errors.LastOwner):
        services.member_remove(actor=owner, member=owner)


def test_member_remove_refuses_an_admin_removing_an_owner():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)

    with pytest.raises(errors.OwnersOnly):
        services.member_remove(actor=member(brand, Role.ADMIN), member=owner)


def test_member_remove_lets_an_owner_remove_another_owner():
    brand = BrandFactory()
    first, second = member(brand, Role.OWNER), member(brand, Role.OWNER)

    services.member_remove(actor=first, member=second)

    assert list(brand.memberships.all()) == [first]


def test_member_leave_lets_any_member_leave_but_the_last_owner():
    brand = BrandFactory()
    owner, till = member(brand, Role.OWNER), member(brand, Role.TILL)

    services.member_leave(membership=till)
    with pytest.raises(errors.LastOwner):
        services.member_leave(membership=owner)

    assert list(brand.memberships.all()) == [owner]


# --- Departments ---------------------------------------------------------------------------------


def test_department_create_rename_and_delete():
    brand = BrandFactory()
    department = services.department_create(brand=brand, name=" Field  sales ", access_level="own")
    editor = member(brand, department=department)

    services.department_update(department=department, name="Stores", access_level="all")
    department.refresh_from_db()
    assert (department.name, department.access) == ("Stores", "all")

    # A department with members cannot go: without one they would see every offer.
    with pytest.raises(errors.DepartmentHasMembers):
        services.department_delete(department=department)
    owner = member(brand, Role.OWNER)
    services.member_update(actor=owner, member=editor, department=None)
    services.department_delete(department=department)
    assert not Department.objects.filter(brand=brand).exists()


def test_deleting_a_department_never_widens_its_members_view_of_offers():
    # given a department that sees only its own offers, and a member of it
    from brands.access import offers_visible_q
    from brands.models import BrandOffer
    from brands.tests.factories import brand_offer

    brand = BrandFactory()
    stores = services.department_create(brand=brand, name="Stores", access_level="own")
    marketing = services.department_create(brand=brand, name="Marketing", access_level="own")
    clerk = member(brand, department=stores)
    brand_offer(brand, department=stores)
    brand_offer(brand, department=marketing)

    # when the owner tries to delete the department
    with pytest.raises(errors.DepartmentHasMembers):
        services.department_delete(department=stores)

    # then the member still sees only their department's offer
    clerk.refresh_from_db()
    assert BrandOffer.objects.filter(offers_visible_q(clerk)).count() == 1


def test_department_create_refuses_a_name_taken_in_the_brand():
    brand = BrandFactory()
    DepartmentFactory(brand=brand, name="Marketing")

    with pytest.raises(errors.DepartmentNameTaken):
        services.department_create(brand=brand, name="marketing", access_level="all")
    # Another brand may have its own Marketing.
    services.department_create(brand=BrandFactory(), name="Marketing", access_level="all")


def test_department_update_refuses_a_name_taken():
    brand = BrandFactory()
    DepartmentFactory(brand=brand, name="Marketing")
    stores = DepartmentFactory(brand=brand, name="Stores")

    with pytest.raises(errors.DepartmentNameTaken):
        services.department_update(department=stores, name="Marketing", access_level="all")


def test_department_create_refuses_an_unknown_access_level():
    with pytest.raises(errors.DomainError) as refused:
        services.department_create(brand=BrandFactory(), name="X", access_level="some")
    assert "access" in refused.value.fields


# --- Invitations ---------------------------------------------------------------------------------


def _invite(actor, email="new.person@example.in", role=Role.ANALYST, department=None):
    return services.invitation_send(actor=actor, email=email, role=role, department=department)


def _token_from_mail() -> str:
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/brand/invitations/" in line)
    return link.rstrip("/").rsplit("/", 1)[1]


def test_invitation_send_emails_a_link_and_stores_only_its_hash(django_capture_on_commit_callbacks):
    brand = BrandFactory(name="Chumbak")
    owner = member(brand, Role.OWNER)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(owner, email="New.Person@Example.in")

    assert invitation.email == "new.person@example.in"
    assert mail.outbox[0].to == ["new.person@example.in"]
    assert "Chumbak" in mail.outbox[0].subject
    token = _token_from_mail()
    assert invitation.token_hash == services.token_hash(token)
    assert token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)


def test_invitation_send_refuses_a_member():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    editor = member(brand)

    with pytest.raises(errors.AlreadyMember):
        _invite(owner, email=editor.user.email.upper())


def test_invitation_send_refuses_a_second_invitation_waiting():
    owner = member(BrandFactory(), Role.OWNER)
    _invite(owner)

    with pytest.raises(errors.AlreadyInvited):
        _invite(owner)


def test_invitation_send_refuses_an_admin_inviting_an_admin():
    brand = BrandFactory()
    with pytest.raises(errors.OwnersOnly):
        _invite(member(brand, Role.ADMIN), role=Role.ADMIN)


def test_invitation_send_refuses_an_analyst():
    with pytest.raises(errors.TeamForbidden):
        _invite(member(BrandFactory(), Role.ANALYST))


def test_invitation_send_refuses_a_department_of_another_brand():
    with pytest.raises(errors.DepartmentNotFound):
        _invite(member(BrandFactory(), Role.OWNER), department=DepartmentFactory())


def test_invitation_accept_makes_the_membership(django_capture_on_commit_callbacks):
    brand = BrandFactory()
    department = DepartmentFactory(brand=brand)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(member(brand, Role.OWNER), department=department)
    person = UserFactory(email="new.person@example.in")
    _verified_email(person)

    membership = services.invitation_accept(token=_token_from_mail(), user=person)

    assert (membership.brand, membership.role, membership.department) == (
        brand,
        Role.ANALYST,
        department,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    with pytest.raises(errors.InvitationUsed):
        services.invitation_accept(token=_token_from_mail(), user=person)


def test_invitation_accept_refuses_an_unconfirmed_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(member(BrandFactory(), Role.OWNER))
    person = UserFactory(email="new.person@example.in")
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)

    with pytest.raises(errors.InvitationEmailMismatch):
        services.invitation_accept(token=_token_from_mail(), user=person)


def test_invitation_accept_refuses_another_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(member(BrandFactory(), Role.OWNER))
    person = UserFactory(email="someone.else@example.in")
    _verified_email(person)

    with pytest.raises(errors.InvitationEmailMismatch):
        services.invitation_accept(token=_token_from_mail(), user=person)


def test_invitation_accept_refuses_an_expired_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(member(BrandFactory(), Role.OWNER))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    person = UserFactory(email="new.person@example.in")
    _verified_email(person)

    with pytest.raises(errors.InvitationExpired):
        services.invitation_accept(token=_token_from_mail(), user=person)


def test_invitation_accept_refuses_a_revoked_link(django_capture_on_commit_callbacks):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(owner)
    services.invitation_revoke(actor=owner, invitation=invitation)
    person = UserFactory(email="new.person@example.in")
    _verified_email(person)

    with pytest.raises(errors.InvitationRevoked):
        services.invitation_accept(token=_token_from_mail(), user=person)


def test_invitation_accept_refuses_an_unknown_token():
    with pytest.raises(errors.InvitationNotFound):
        services.invitation_accept(token="nope", user=UserFactory())


def test_invitation_accept_refuses_someone_already_a_member(django_capture_on_commit_callbacks):
    brand = BrandFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(member(brand, Role.OWNER))
    person = member(BrandFactory(), user=UserFactory(email="other@example.in")).user
    _verified_email(person, "new.person@example.in")
    Membership.objects.create(brand=brand, user=person, role=Role.EDITOR)

    with pytest.raises(errors.AlreadyMember):
        services.invitation_accept(token=_token_from_mail(), user=person)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_resend_sends_a_new_link_and_the_old_one_stops(
    django_capture_on_commit_callbacks,
):
    owner = member(BrandFactory(), Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(owner)
    old = _token_from_mail()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(actor=owner, invitation=invitation)

    new = _token_from_mail()
    assert new != old
    person = UserFactory(email="new.person@example.in")
    _verified_email(person)
    with pytest.raises(errors.InvitationNotFound):
        services.invitation_accept(token=old, user=person)
    assert services.invitation_accept(token=new, user=person).brand == owner.brand


def test_invitation_resend_refuses_a_revoked_invitation():
    owner = member(BrandFactory(), Role.OWNER)
    invitation = services.invitation_revoke(actor=owner, invitation=_invite(owner))

    with pytest.raises(errors.InvitationRevoked):
        services.invitation_resend(actor=owner, invitation=invitation)


def test_invitation_revoke_refuses_another_brands_invitation():
    invitation = _invite(member(BrandFactory(), Role.OWNER))

    with pytest.raises(errors.InvitationNotFound):
        services.invitation_revoke(actor=member(BrandFactory(), Role.OWNER), invitation=invitation)


def test_invitation_revoke_refuses_an_accepted_invitation():
    owner = member(BrandFactory(), Role.OWNER)
    invitation = _invite(owner)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    with pytest.raises(errors.InvitationUsed):
        services.invitation_revoke(actor=owner, invitation=invitation)


def test_member_remove_refuses_an_editor_removing_someone():
    brand = BrandFactory()

    with pytest.raises(errors.TeamForbidden):
        services.member_remove(actor=member(brand), member=member(brand, Role.ANALYST))


def test_invitation_send_refuses_an_unknown_role():
    with pytest.raises(errors.DomainError) as refused:
        _invite(member(BrandFactory(), Role.OWNER), role="boss")
    assert "role" in refused.value.fields


def test_invitation_resend_refuses_an_accepted_invitation():
    owner = member(BrandFactory(), Role.OWNER)
    invitation = _invite(owner)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    with pytest.raises(errors.InvitationUsed):
        services.invitation_resend(actor=owner, invitation=invitation)


def test_invitation_resend_and_revoke_of_an_admins_invitation_are_for_owners():
    brand = BrandFactory()
    invitation = _invite(member(brand, Role.OWNER), role=Role.ADMIN)
    admin = member(brand, Role.ADMIN)

    with pytest.raises(errors.OwnersOnly):
        services.invitation_resend(actor=admin, invitation=invitation)
    with pytest.raises(errors.OwnersOnly):
        services.invitation_revoke(actor=admin, invitation=invitation)
