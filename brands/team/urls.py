"""Team pages: /brand/ (the picker), /brand/apply/, /brand/invitations/<token>/, and one
brand's /brand/<slug>/team/."""

from django.urls import path

from . import views

team = "<slug:brand_slug>/team/"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("apply/submitted/<slug:brand_slug>/", views.apply_done, name="apply_done"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path(team, views.team, name="team"),
    path(f"{team}leave/", views.leave, name="leave"),
    path(f"{team}members/<uuid:public_id>/", views.member_update, name="member_update"),
    path(f"{team}members/<uuid:public_id>/remove/", views.member_remove, name="member_remove"),
    path(f"{team}invitations/", views.invitation_create, name="invitation_create"),
    path(
        f"{team}invitations/<uuid:public_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        f"{team}invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(f"{team}departments/", views.department_create, name="department_create"),
    path(
        f"{team}departments/<uuid:public_id>/",
        views.department_update,
        name="department_update",
    ),
    path(
        f"{team}departments/<uuid:public_id>/delete/",
        views.department_delete,
        name="department_delete",
    ),
]
