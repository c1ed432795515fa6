"""API throttles kept in the Redis cache, keyed by client IP (anonymous) or user (signed in)."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .http import client_ip


class AnonClientIpThrottle(AnonRateThrottle):
    """100 requests/minute per client IP for anonymous callers (rate `anon`)."""

    def get_ident(self, request):
        return client_ip(request)


class SignedInUserThrottle(UserRateThrottle):
    """300 requests/minute per user for signed-in callers (rate `user`)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
