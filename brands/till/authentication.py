"""Till API keys for DRF: `Authorization: ApiKey czk_...`, a throttle per key, and the
permission that lets in either a key or a signed-in member allowed to use the till."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.throttling import SimpleRateThrottle

from brands import access
from brands.models import ApiKey, BrandStatus
from brands.portal import BrandPermission
from coupzii.core.throttling import FixedWindowMixin, SignedInUserThrottle

from . import selectors, services

KEYWORD = "ApiKey"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a till by its key. The request has no user (AnonymousUser); the key is
    `request.auth`. A wrong, revoked or suspended brand's key answers 401."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # a JWT or a session: other classes decide
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: ApiKey czk_..."))
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        key = selectors.api_key_for_secret(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or was revoked."))
        if key.brand.status == BrandStatus.SUSPENDED:
            raise exceptions.AuthenticationFailed(_("This brand is suspended."))
        services.api_key_touch(key)
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "brands.till.authentication.ApiKeyAuthentication"
    name = "tillApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ApiKey czk_...`: a till key made on the brand portal's API keys page.",
        }


class ApiKeyThrottle(FixedWindowMixin, SimpleRateThrottle):
    """Requests per minute per till key (rate `till_key`), so one till in a loop cannot
    starve the brand's other tills or the site."""

    scope = "till_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class MemberThrottle(SignedInUserThrottle):
    """The signed-in members' own limit (rate `user`), untouched by keys."""


class TillPermission(permissions.BasePermission):
    """A till key (its brand on `request.brand`), or a member of the brand whose role may use
    the till (BrandPermission with USE_TILL). Leaves `request.till_scope`."""

    message = _("Your role in this brand does not allow this.")

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiKey):
            request.brand = request.auth.brand
            request.till_scope = services.TillScope.for_key(request.auth)
            return True
        view.brand_permission = access.USE_TILL
        if not BrandPermission().has_permission(request, view):
            return False
        request.till_scope = services.TillScope.for_member(membership=request.membership)
        return True
