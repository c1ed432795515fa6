"""client_ip: believe X-Forwarded-For only from trusted proxies."""

import pytest
from django.test import RequestFactory, override_settings

from coupzii.core.http import client_ip

rf = RequestFactory()


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", "", "203.0.113.7"),
        # not from a proxy: the header is the client's own claim and is ignored
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # from our proxy: the address it saw is the client
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # a forged entry on the left is skipped; the proxy appended the real one on the right
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # a chain of our proxies is walked through
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),
        # garbage from a proxy falls back to the proxy's address
        ("10.0.0.2", "not-an-ip", "10.0.0.2"),
    ],
)
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_client_ip(remote, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
