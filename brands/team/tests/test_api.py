"""The team's API: my brands, members, invitations, departments."""

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from brands.models import Department, Invitation, Membership, Role
from brands.team import services
from brands.tests.factories import BrandFactory, DepartmentFactory, member

pytestmark = pytest.mark.django_db

ME = "/api/v1/brand/me/"
MEMBERS = "/api/v1/brand/team/members/"
INVITATIONS = "/api/v1/brand/team/invitations/"
DEPARTMENTS = "/api/v1/brand/team/departments/"


def _client(membership, *, two_factor=True) -> APIClient:
    client = APIClient()
    if two_factor:
        TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_BRAND=membership.brand.slug)
    return client


def test_me_lists_my_brands_and_roles():
    analyst = member(BrandFactory(name="Alpha"), Role.ANALYST)
    department = DepartmentFactory(brand=BrandFactory(name="Beta"), name="Stores")
    member(department.brand, Role.TILL, user=analyst.user, department=department)
    client = APIClient()
    client.force_authenticate(analyst.user)

    response = client.get(ME)

    assert response.status_code == 200
    assert [(row["name"], row["role"]) for row in response.json()] == [
        ("Alpha", "analyst"),
        ("Beta", "till"),
    ]
    assert response.json()[1]["department"]["name"] == "Stores"


def test_me_needs_a_signed_in_person():
    assert APIClient().get(ME).status_code in (401, 403)


def test_members_list_shows_roles_and_two_factor_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    client = _client(owner)
    client.get(MEMBERS)  # warm up the session and the content types
    for _ in range(15):
        member(brand, Role.ANALYST, department=DepartmentFactory(brand=brand))

    with django_assert_max_num_queries(8):
        response = client.get(MEMBERS, {"page_size": 50})

    rows = response.json()["results"]
    assert response.json()["count"] == 16
    assert rows[0]["email"] == owner.user.email
    assert rows[0]["two_factor"] is True
    assert rows[1]["two_factor"] is False
    assert rows[1]["department"]["name"]


def test_members_list_is_404_for_a_brand_i_do_not_belong_to():
    client = _client(member(BrandFactory(), Role.OWNER))
    client.credentials(HTTP_X_BRAND=BrandFactory().slug)

    assert client.get(MEMBERS).status_code == 404


def test_members_list_is_403_for_an_editor():
    client = _client(member(BrandFactory(), Role.EDITOR), two_factor=False)

    assert client.get(MEMBERS).status_code == 403


def test_members_list_is_403_for_an_owner_without_two_factor():
    client = _client(member(BrandFactory(), Role.OWNER), two_factor=False)

    assert client.get(MEMBERS).status_code == 403


def test_member_patch_changes_role_and_department():
    brand = BrandFactory()
    client = _client(member(brand, Role.OWNER))
    editor = member(brand)
    department = DepartmentFactory(brand=brand)

    response = client.patch(
        f"{MEMBERS}{editor.public_id}/",
        {"role": "analyst", "department": str(department.public_id)},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["role"] == "analyst"
    assert response.json()["department"]["id"] == str(department.public_id)

    response = client.patch(f"{MEMBERS}{editor.public_id}/", {"department": None}, format="json")
    assert response.json()["department"] is None


def test_member_patch_refuses_the_last_owner():
    owner = member(BrandFactory(), Role.OWNER)

    response = _client(owner).patch(f"{MEMBERS}{owner.public_id}/", {"role": "admin"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "last_owner"


def test_member_patch_refuses_an_admin_making_an_owner():
    brand = BrandFactory()
    member(brand, Role.OWNER)
    editor = member(brand)

    response = _client(member(brand, Role.ADMIN)).patch(
        f"{MEMBERS}{editor.public_id}/", {"role": "owner"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "owners_only"


def test_member_patch_refuses_a_bad_role_and_another_brands_department():
    brand = BrandFactory()
    client = _client(member(brand, Role.OWNER))
    editor = member(brand)

    bad_role = client.patch(f"{MEMBERS}{editor.public_id}/", {"role": "boss"})
    other_department = client.patch(
        f"{MEMBERS}{editor.public_id}/",
        {"department": str(DepartmentFactory().public_id)},
        format="json",
    )

    assert bad_role.status_code == 400
    assert "role" in bad_role.json()["error"]["fields"]
    assert other_department.status_code == 400
    assert "department" in other_department.json()["error"]["fields"]


def test_member_of_another_brand_is_404():
    client = _client(member(BrandFactory(), Role.OWNER))
    stranger = member(BrandFactory())

    assert client.patch(f"{MEMBERS}{stranger.public_id}/", {"role": "analyst"}).status_code == 404
    assert client.delete(f"{MEMBERS}{stranger.public_id}/").status_code == 404
    assert Membership.objects.get(pk=stranger.pk).role == Role.EDITOR


def test_member_delete_removes_and_refuses_the_last_owner():
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    client = _client(owner)
    editor = member(brand)

    assert client.delete(f"{MEMBERS}{editor.public_id}/").status_code == 204
    last = client.delete(f"{MEMBERS}{owner.public_id}/")

    assert last.status_code == 400
    assert last.json()["error"]["code"] == "last_owner"
    assert list(brand.memberships.all()) == [owner]


def test_members_post_sends_an_invitation(django_capture_on_commit_callbacks):
    brand = BrandFactory()
    client = _client(member(brand, Role.OWNER))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MEMBERS, {"email": "new@example.in", "role": "editor"})

    assert response.status_code == 201
    assert response.json()["email"] == "new@example.in"
    assert mail.outbox[0].to == ["new@example.in"]
    assert not Membership.objects.filter(user__email="new@example.in").exists()


def test_invitations_create_list_and_revoke(django_capture_on_commit_callbacks):
    brand = BrandFactory()
    client = _client(member(brand, Role.OWNER))
    department = DepartmentFactory(brand=brand)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            INVITATIONS,
            {"email": "a@example.in", "role": "analyst", "department": str(department.public_id)},
            format="json",
        )
    listed = client.get(INVITATIONS)
    revoked = client.delete(f"{INVITATIONS}{created.json()['id']}/")

    assert created.status_code == 201
    assert created.json()["department"]["name"] == department.name
    assert "token" not in str(created.json())
    assert [row["email"] for row in listed.json()["results"]] == ["a@example.in"]
    assert revoked.status_code == 204
    assert client.get(INVITATIONS).json()["count"] == 0


def test_invitations_refuse_a_duplicate_and_bad_input():
    client = _client(member(BrandFactory(), Role.OWNER))
    client.post(INVITATIONS, {"email": "a@example.in", "role": "analyst"})

    duplicate = client.post(INVITATIONS, {"email": "a@example.in", "role": "analyst"})
    bad = client.post(INVITATIONS, {"email": "not-an-email", "role": "analyst"})

    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "already_invited"
    assert bad.status_code == 400
    assert "email" in bad.json()["error"]["fields"]


def test_invitations_list_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    brand = BrandFactory()
    owner = member(brand, Role.OWNER)
    client = _client(owner)
    client.get(INVITATIONS)
    for number in range(12):
        services.invitation_send(
            actor=owner,
            email=f"p{number}@example.in",
            role=Role.ANALYST,
            department=DepartmentFactory(brand=brand),
        )

    with django_assert_max_num_queries(8):
        response = client.get(INVITATIONS, {"page_size": 50})

    assert response.json()["count"] == 12


def test_invitation_of_another_brand_is_404():
    invitation = services.invitation_send(
        actor=member(BrandFactory(), Role.OWNER), email="a@example.in", role=Role.ANALYST
    )
    client = _client(member(BrandFactory(), Role.OWNER))

    assert client.delete(f"{INVITATIONS}{invitation.public_id}/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.count() == 1


def test_departments_create_list_rename_and_delete(django_assert_max_num_queries):
    brand = BrandFactory()
    client = _client(member(brand, Role.ADMIN))

    created = client.post(DEPARTMENTS, {"name": "Stores", "access": "own"})
    for number in range(10):
        DepartmentFactory(brand=brand, name=f"Team {number}")
    with django_assert_max_num_queries(8):
        listed = client.get(DEPARTMENTS, {"page_size": 50})
    public_id = created.json()["id"]
    renamed = client.patch(f"{DEPARTMENTS}{public_id}/", {"name": "Retail"})
    duplicate = client.post(DEPARTMENTS, {"name": "retail"})
    deleted = client.delete(f"{DEPARTMENTS}{public_id}/")

    assert created.status_code == 201
    assert created.json()["access"] == "own"
    assert listed.json()["count"] == 11
    assert (renamed.json()["name"], renamed.json()["access"]) == ("Retail", "own")
    assert duplicate.status_code == 409
    assert deleted.status_code == 204
    assert not Department.objects.filter(public_id=public_id).exists()


def test_department_of_another_brand_is_404():
    client = _client(member(BrandFactory(), Role.OWNER))
    other = DepartmentFactory()

    assert client.patch(f"{DEPARTMENTS}{other.public_id}/", {"name": "x"}).status_code == 404
    assert client.delete(f"{DEPARTMENTS}{other.public_id}/").status_code == 404


def test_team_endpoints_are_in_the_schema():
    client = APIClient()

    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert "/api/v1/brand/me/" in paths
    assert {"get", "post"} <= set(paths["/api/v1/brand/team/members/"])
    assert {"patch", "delete"} <= set(paths["/api/v1/brand/team/members/{public_id}/"])
    assert "delete" in paths["/api/v1/brand/team/invitations/{public_id}/"]
    assert {"get", "post"} <= set(paths["/api/v1/brand/team/departments/"])
    parameters = paths["/api/v1/brand/team/members/"]["get"]["parameters"]
    assert any(parameter["name"] == "X-Brand" for parameter in parameters)


def test_me_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    user = member(BrandFactory()).user
    client = APIClient()
    client.force_authenticate(user)
    client.get(ME)
    for _ in range(10):
        member(BrandFactory(), Role.ANALYST, user=user, department=DepartmentFactory())

    with django_assert_max_num_queries(3):
        response = client.get(ME)

    assert len(response.json()) == 11


def test_another_brands_department_is_refused_with_the_translated_team_message():
    """The field message is the team's own (marked for translation, as the pages say it)."""
    from brands.team.errors import DepartmentNotFound

    brand = BrandFactory()
    client = _client(member(brand, Role.OWNER))
    response = client.post(
        "/api/v1/brand/team/invitations/",
        {
            "email": "new@example.com",
            "role": "editor",
            "department": str(DepartmentFactory().public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["department"] == [
        str(DepartmentNotFound.default_message)
    ]
