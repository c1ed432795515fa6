"""The team's pages: the picker and switcher, applying, invitations, the team page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from brands.models import Brand, BrandStatus, Department, Invitation, Membership, Role
from brands.team import services
from brands.tests.factories import BrandFactory, DepartmentFactory, member, sign_in_member
from catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

HOME = reverse("brands:home")


def _team_url(brand, name="team", *args):
    return reverse(f"brands:{name}", args=[brand.slug, *args])


# --- The picker ----------------------------------------------------------------------------------


def test_home_sends_a_signed_out_visitor_to_sign_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_home_shows_an_empty_state_with_a_link_to_apply(client):
    client.force_login(UserFactory())

    response = client.get(HOME)

    assert response.status_code == 200
    assert reverse("brands:apply") in response.content.decode()


def test_home_with_one_brand_opens_the_first_page_the_role_may_open(client):
    owner = member(BrandFactory(), Role.OWNER)
    sign_in_member(client, owner)

    response = client.get(HOME)

    # The first menu entry an owner may open that this build has (the dashboard, or the team).
    assert response.status_code == 302
    assert response.url.startswith(f"/brand/{owner.brand.slug}/")


def test_home_lands_a_till_user_on_the_till(client):
    till = member(BrandFactory(), Role.TILL)
    sign_in_member(client, till)
    try:
        till_url = reverse("brands:till", args=[till.brand.slug])
    except NoReverseMatch:
        pytest.skip("the till area is not installed in this build")

    response = client.get(HOME)

    assert response.url == till_url


def test_home_shows_the_picker_to_a_member_of_one_brand_who_asks_for_it(client):
    analyst = member(BrandFactory(name="Alpha"), Role.ANALYST)
    client.force_login(analyst.user)

    response = client.get(HOME, {"all": "1"})

    assert response.status_code == 200
    assert reverse("brands:leave", args=[analyst.brand.slug]) in response.content.decode()


def test_home_lists_several_brands_with_role_and_status(client):
    user = UserFactory()
    member(BrandFactory(name="Alpha"), Role.ANALYST, user=user)
    member(BrandFactory(name="Beta", status=BrandStatus.PENDING), Role.EDITOR, user=user)
    client.force_login(user)

    response = client.get(HOME)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Alpha" in page and "Beta" in page
    assert "Analyst" in page and "Waiting for verification" in page


def test_home_switch_goes_to_that_brand(client):
    user = UserFactory()
    member(BrandFactory(), Role.ANALYST, user=user)
    other = member(BrandFactory(), Role.OWNER, user=user)
    sign_in_member(client, other)

    response = client.get(HOME, {"switch": other.brand.slug})

    assert response.status_code == 302
    assert response.url.startswith(f"/brand/{other.brand.slug}/")


def test_home_switch_to_a_brand_of_others_is_404(client):
    client.force_login(member(BrandFactory()).user)

    assert client.get(HOME, {"switch": BrandFactory().slug}).status_code == 404


# --- Applying ------------------------------------------------------------------------------------


def test_apply_sends_a_signed_out_visitor_to_sign_up_and_back(client):
    response = client.get(reverse("brands:apply"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_signup')}?next=%2Fbrand%2Fapply%2F"


def test_apply_opens_a_pending_brand_and_says_what_happens_next(client):
    user = UserFactory()
    client.force_login(user)
    category = CategoryFactory()

    response = client.post(
        reverse("brands:apply"),
        {
            "name": "Blue Tokai",
            "work_email": "partners@bluetokai.example",
            "website": "bluetokai.example",
            "category": category.pk,
            "store_name": "Blue Tokai",
        },
        follow=True,
    )

    brand = Brand.objects.get(name="Blue Tokai")
    assert brand.status == BrandStatus.PENDING
    assert brand.website == "https://bluetokai.example"
    assert Membership.objects.get(brand=brand, user=user).role == Role.OWNER
    assert "What happens next" in response.content.decode()


def test_apply_shows_a_duplicate_name_on_the_field(client):
    BrandFactory(name="Blue Tokai")
    client.force_login(UserFactory())

    response = client.post(
        reverse("brands:apply"),
        {
            "name": "Blue Tokai",
            "work_email": "a@b.example",
            "website": "https://b.example",
            "store_name": "Blue Tokai",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_apply_shows_field_errors_for_bad_input(client):
    client.force_login(UserFactory())

    response = client.post(reverse("brands:apply"), {"name": "", "work_email": "nope"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"name", "work_email", "website", "store_name"}


def test_apply_done_is_404_for_another_persons_brand(client):
    client.force_login(UserFactory())

    assert client.get(reverse("brands:apply_done", args=[BrandFactory().slug])).status_code == 404


# --- Invitations ---------------------------------------------------------------------------------


def _invitation(django_capture_on_commit_callbacks, email="new.person@example.in"):
    owner = member(BrandFactory(name="Chumbak"), Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_send(actor=owner, email=email, role=Role.ANALYST)
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/brand/invitations/" in line)
    return invitation, link.split("://", 1)[1].split("/", 1)[1]


def test_invitation_page_asks_a_signed_out_person_to_sign_up_or_in(
    client, django_capture_on_commit_callbacks
):
    _invitation_row, path = _invitation(django_capture_on_commit_callbacks)

    response = client.get(f"/{path}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Join Chumbak" in page
    assert f"{reverse('account_signup')}?next=%2F{path.replace('/', '%2F')}" in page


def test_invitation_page_accepts_for_the_invited_address(
    client, django_capture_on_commit_callbacks
):
    invitation, path = _invitation(django_capture_on_commit_callbacks)
    person = UserFactory(email="new.person@example.in")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    client.force_login(person)

    response = client.post(f"/{path}")

    assert response.status_code == 302
    assert Membership.objects.get(brand=invitation.brand, user=person).role == Role.ANALYST


def test_invitation_page_refuses_another_address(client, django_capture_on_commit_callbacks):
    _invitation_row, path = _invitation(django_capture_on_commit_callbacks)
    person = UserFactory(email="someone@example.in")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    client.force_login(person)

    assert client.get(f"/{path}").context["address_confirmed"] is False
    response = client.post(f"/{path}")

    assert response.status_code == 403
    assert "another address" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize(
    ("change", "heading"),
    [
        ({"expires_at": timezone.now()}, "has expired"),
        ({"revoked_at": timezone.now()}, "was withdrawn"),
        ({"accepted_at": timezone.now()}, "already been accepted"),
    ],
)
def test_invitation_page_explains_a_dead_link(
    client, django_capture_on_commit_callbacks, change, heading
):
    invitation, path = _invitation(django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(**change)

    response = client.get(f"/{path}")

    assert response.status_code == 410
    assert heading in response.content.decode()


def test_invitation_page_for_an_unknown_token_is_404(client):
    response = client.get(reverse("brands:invitation", args=["not-a-token"]))

    assert response.status_code == 404
    assert "does not work" in response.content.decode()


# --- The team page -------------------------------------------------------------------------------


def test_team_page_lists_members_with_two_factor_departments_and_invitations(client):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    analyst = member(brand, Role.ANALYST, department=DepartmentFactory(brand=brand, name="Data"))
    services.invitation_send(actor=owner, email="waiting@example.in", role=Role.EDITOR)
    sign_in_member(client, owner)

    response = client.get(_team_url(brand))

    page = response.content.decode()
    assert response.status_code == 200
    assert analyst.user.email in page and "Data" in page
    assert "Two-factor on" in page and "No two-factor" in page
    assert "waiting@example.in" in page


def test_team_page_is_403_for_an_analyst_and_404_for_a_stranger(client):
    brand = BrandFactory()
    client.force_login(member(brand, Role.ANALYST).user)
    assert client.get(_team_url(brand)).status_code == 403

    client.force_login(member(BrandFactory(), Role.ANALYST).user)
    assert client.get(_team_url(brand)).status_code == 404


def test_team_page_asks_an_owner_for_the_second_factor(client):
    brand = BrandFactory()
    client.force_login(member(brand, Role.OWNER).user)

    response = client.get(_team_url(brand))

    assert response.status_code == 302
    assert reverse("two_factor_setup") in response.url


def test_team_page_changes_a_role(client):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    editor = member(brand)
    department = DepartmentFactory(brand=brand)
    sign_in_member(client, owner)
    prefix = str(editor.public_id)

    response = client.post(
        _team_url(brand, "member_update", editor.public_id),
        {f"{prefix}-role": Role.ANALYST, f"{prefix}-department": department.pk},
    )

    assert response.status_code == 302
    editor.refresh_from_db()
    assert (editor.role, editor.department) == (Role.ANALYST, department)


def test_team_page_shows_the_last_owner_refusal(client):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    sign_in_member(client, owner)
    prefix = str(owner.public_id)

    response = client.post(
        _team_url(brand, "member_update", owner.public_id), {f"{prefix}-role": Role.ADMIN}
    )

    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_team_page_refuses_an_admin_making_an_admin(client):
    brand = BrandFactory()
    member(brand, Role.OWNER)
    admin = member(brand, Role.ADMIN)
    editor = member(brand)
    sign_in_member(client, admin)
    prefix = str(editor.public_id)

    response = client.post(
        _team_url(brand, "member_update", editor.public_id), {f"{prefix}-role": Role.ADMIN}
    )

    assert response.status_code == 400
    assert "Only an owner" in response.content.decode()


def test_team_page_removes_a_member_and_refuses_the_last_owner(client):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    editor = member(brand)
    sign_in_member(client, owner)

    client.post(_team_url(brand, "member_remove", editor.public_id))
    response = client.post(_team_url(brand, "member_remove", owner.public_id), follow=True)

    assert list(brand.memberships.all()) == [owner]
    assert "at least one owner" in response.content.decode()


def test_team_page_404s_a_member_of_another_brand(client):
    brand = BrandFactory()
    sign_in_member(client, member(brand, Role.OWNER))
    stranger = member(BrandFactory())

    response = client.post(_team_url(brand, "member_remove", stranger.public_id))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=stranger.pk).exists()


def test_team_page_invites_and_shows_a_refusal_on_the_form(
    client, django_capture_on_commit_callbacks
):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    sign_in_member(client, owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _team_url(brand, "invitation_create"), {"email": "new@example.in", "role": "analyst"}
        )
    again = client.post(
        _team_url(brand, "invitation_create"), {"email": "new@example.in", "role": "analyst"}
    )

    assert mail.outbox[0].to == ["new@example.in"]
    assert again.status_code == 400
    assert again.context["invite_form"].errors["email"]


def test_team_page_resends_and_revokes_an_invitation(client, django_capture_on_commit_callbacks):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    invitation = services.invitation_send(actor=owner, email="a@example.in", role=Role.EDITOR)
    sign_in_member(client, owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_team_url(brand, "invitation_resend", invitation.public_id))
    client.post(_team_url(brand, "invitation_revoke", invitation.public_id))

    assert mail.outbox[-1].to == ["a@example.in"]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_team_page_manages_departments(client):
    brand = BrandFactory()
    sign_in_member(client, member(brand, Role.ADMIN))

    client.post(_team_url(brand, "department_create"), {"name": "Stores", "access": "own"})
    department = Department.objects.get(brand=brand)
    prefix = str(department.public_id)
    client.post(
        _team_url(brand, "department_update", department.public_id),
        {f"{prefix}-name": "Retail", f"{prefix}-access": "all"},
    )
    department.refresh_from_db()
    assert (department.name, department.access) == ("Retail", "all")

    duplicate = client.post(
        _team_url(brand, "department_create"), {"name": "retail", "access": "all"}
    )
    assert duplicate.status_code == 400
    assert duplicate.context["department_form"].errors["name"]

    client.post(_team_url(brand, "department_delete", department.public_id))
    assert not Department.objects.filter(brand=brand).exists()


def test_leave_page_lets_a_till_user_leave(client):
    brand = BrandFactory()
    member(brand, Role.OWNER)
    till = member(brand, Role.TILL)
    client.force_login(till.user)

    assert client.get(_team_url(brand, "leave")).status_code == 200
    response = client.post(_team_url(brand, "leave"))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=till.pk).exists()


def test_leave_page_refuses_the_last_owner(client):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    client.force_login(owner.user)

    response = client.post(_team_url(brand, "leave"))

    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_a_new_person_signs_up_from_the_invitation_confirms_and_comes_back_to_accept(
    client, django_capture_on_commit_callbacks
):
    # given an invitation to an address with no account
    invitation, path = _invitation(django_capture_on_commit_callbacks)
    signup_url = client.get(f"/{path}").context["signup_url"]

    # when they sign up from it and open the confirmation link
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            signup_url, {"email": "new.person@example.in", "password1": "a long passphrase"}
        )
    confirm = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    confirm = confirm.replace("http://testserver", "")
    response = client.post(confirm)

    # then they land back on the invitation, signed in, and can accept it
    assert response.status_code == 302
    assert response.url == f"/{path}"
    client.post(response.url)
    assert Membership.objects.get(brand=invitation.brand, user__email="new.person@example.in")


def test_team_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    sign_in_member(client, owner)
    client.get(_team_url(brand))
    for _ in range(3):
        department = DepartmentFactory(brand=brand)
        member(brand, Role.ANALYST, department=department)
        services.invitation_send(
            actor=owner, email=f"{department.public_id}@example.in", role=Role.EDITOR
        )
    with django_assert_max_num_queries(40) as few:
        client.get(_team_url(brand))
    for _ in range(10):
        member(brand, Role.ANALYST, department=DepartmentFactory(brand=brand))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_team_url(brand))

    assert response.status_code == 200


def test_deleting_a_department_with_members_is_refused_on_the_page(client):
    brand = BrandFactory()
    sign_in_member(client, member(brand, Role.OWNER))
    department = DepartmentFactory(brand=brand, name="Stores")
    member(brand, Role.EDITOR, department=department)

    response = client.post(_team_url(brand, "department_delete", department.public_id), follow=True)

    assert response.status_code == 200
    assert "Move this department" in response.content.decode()
    assert Department.objects.filter(pk=department.pk).exists()
