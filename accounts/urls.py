"""Account pages: allauth's sign-up, sign-in and email flows, plus phone codes, two-factor,
the profile and notifications."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("phone/", views.phone_login_request, name="phone_login"),
    path("phone/verify/", views.phone_login_verify, name="phone_login_verify"),
    path("login/email-code/", views.password_guard_code, name="password_guard_code"),
    path("2fa/", views.two_factor_overview, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/authenticate/", views.two_factor_authenticate, name="two_factor_authenticate"),
    path("2fa/verify/", views.two_factor_verify_session, name="two_factor_verify"),
    path("2fa/backup-codes/", views.backup_codes, name="two_factor_backup_codes"),
    path("2fa/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/", views.profile, name="profile"),
    path("profile/phone/", views.phone_change_request, name="phone_change"),
    path("profile/phone/verify/", views.phone_change_verify, name="phone_change_verify"),
    path("", include("allauth.urls")),
]
