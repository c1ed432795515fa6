"""Routes under /api/v1/auth/."""

from django.urls import path

from . import api

urlpatterns = [
    path("register/", api.RegisterView.as_view(), name="api-auth-register"),
    path("login/", api.LoginView.as_view(), name="api-auth-login"),
    path("login/code/", api.LoginCodeView.as_view(), name="api-auth-login-code"),
    path("phone/request/", api.PhoneCodeRequestView.as_view(), name="api-auth-phone-request"),
    path("phone/verify/", api.PhoneCodeVerifyView.as_view(), name="api-auth-phone-verify"),
    path("2fa/", api.SecondFactorView.as_view(), name="api-auth-second-factor"),
    path("refresh/", api.RefreshView.as_view(), name="api-auth-refresh"),
    path("logout/", api.LogoutView.as_view(), name="api-auth-logout"),
    path("me/", api.MeView.as_view(), name="api-auth-me"),
    path("password/", api.PasswordChangeView.as_view(), name="api-auth-password"),
]
