"""Request helpers: the client's real IP address behind trusted proxies, and POST-only form
views that send a GET to the form's page."""

import functools
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES
    )


def client_ip(request: HttpRequest) -> str:
    """The address of the client that made the request.

    X-Forwarded-For is believed only when the request came from a trusted proxy, and then only
    up to the first address (from the right) that is not itself a trusted proxy: anything left
    of that was written by the client and can be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if not _is_trusted_proxy(address):
            return address if _is_valid_ip(address) else remote
    return remote


def _is_valid_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def ip_bucket(address: str) -> str:
    """The unit that rate limits count: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber is usually handed a whole /64, so counting single v6 addresses would
    let one client rotate through fresh ones and never hit a limit.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def post_form(page: Callable[..., str]):
    """For a view that only takes a form's POST: a GET or HEAD of its URL (a refresh after a
    form error, a language switch on the re-shown form, a shared link) is redirected to the
    page the form lives on, `page(request, *args, **kwargs)`, instead of a blank 405. Other
    methods still answer 405."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(page(request, *args, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
