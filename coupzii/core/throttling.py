"""API throttles kept in Redis, keyed by client IP (anonymous) or user (signed in).

DRF's own throttles read the request history, append to it and write it back: requests that
arrive together all read the same history and all pass. These count a fixed window with one
atomic INCR instead, so a burst cannot exceed the limit.
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from . import counters
from .http import client_ip, ip_bucket


class FixedWindowMixin:
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        if counters.incr(key, ttl=self.duration) <= self.num_requests:
            return True
        self.wait_seconds = counters.seconds_left(key) or self.duration
        return False

    def wait(self) -> float:
        return self.wait_seconds


class AnonClientIpThrottle(FixedWindowMixin, AnonRateThrottle):
    """100 requests/minute per client IP (IPv6: per /64) for anonymous callers (rate `anon`)."""

    def get_ident(self, request):
        return ip_bucket(client_ip(request))


class SignedInUserThrottle(FixedWindowMixin, UserRateThrottle):
    """300 requests/minute per user for signed-in callers (rate `user`)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
