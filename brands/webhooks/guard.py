"""Outbound requests to brands' URLs that cannot reach our own network.

A webhook URL is typed by a brand: without a guard it could point the workers at the metadata
service (169.254.169.254), Redis, or an admin port on localhost. The URL is checked when it is
saved (`url_refusal`) and again on every connection (`GuardedSession`), because a hostname that
resolved to a public address yesterday may resolve to 127.0.0.1 today (DNS rebinding): the
address refused is the one the socket actually connected to.

`settings.WEBHOOKS_ALLOW_PRIVATE_URLS` lifts the check for tests and local development, whose
receivers listen on loopback.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class PrivateAddress(Exception):
    """The connection reached a private or special address. Not an OSError, so neither
    urllib3 nor requests wraps it or retries: it reaches the caller as itself."""


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_URLS", False))


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_refusal(url: str) -> str:
    """Why `url` cannot receive webhooks ("" when it can): not http(s), no host, a host that
    does not resolve, or one that resolves to a private, loopback or reserved address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Use an http:// or https:// address.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _("The port is not a number from 1 to 65535.")
    if private_allowed():
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return _("The host name does not resolve.")
    if not all(address_is_public(info[4][0]) for info in infos):
        return _("The address points to a private or local network.")
    return ""


def _refuse_private_peer(connection) -> None:
    if private_allowed():
        return
    peer = connection.sock.getpeername()[0]
    if not address_is_public(peer):
        connection.sock.close()
        raise PrivateAddress(_("The address points to a private or local network."))


class _GuardedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _refuse_private_peer(self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _refuse_private_peer(self)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def guarded_session() -> requests.Session:
    """A session whose every connection is refused if its peer is not a public address. It
    ignores proxy variables from the environment: through a proxy the peer checked would be
    the proxy, not the brand's host."""
    session = requests.Session()
    session.trust_env = False
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
