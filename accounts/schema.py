"""OpenAPI description of our Bearer authentication (drf-spectacular extension)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class LoginFamilyJWTScheme(SimpleJWTScheme):
    target_class = "accounts.tokens.LoginFamilyJWTAuthentication"
    name = "jwtAuth"
