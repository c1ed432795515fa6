"""/api/v1/brand/me/ and /api/v1/brand/team/..."""

from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MyBrandsView.as_view(), name="brand-me"),
    path("team/members/", api.MembersView.as_view(), name="brand-team-members"),
    path("team/members/<uuid:public_id>/", api.MemberView.as_view(), name="brand-team-member"),
    path("team/invitations/", api.InvitationsView.as_view(), name="brand-team-invitations"),
    path(
        "team/invitations/<uuid:public_id>/",
        api.InvitationView.as_view(),
        name="brand-team-invitation",
    ),
    path("team/departments/", api.DepartmentsView.as_view(), name="brand-team-departments"),
    path(
        "team/departments/<uuid:public_id>/",
        api.DepartmentView.as_view(),
        name="brand-team-department",
    ),
]
