"""Request helpers: the client's real IP address behind trusted proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


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
