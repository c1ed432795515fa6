"""The scan's reads: a shopper's own scan (anyone else's is not found)."""

from ..errors import ScanNotFound
from ..models import Scan


def scan_of(user, public_id) -> Scan:
    """The user's scan with its coupon. Raises ScanNotFound for anyone else's."""
    scan = (
        Scan.objects.filter(owner=user, public_id=public_id)
        .select_related("coupon", "coupon__merchant")
        .first()
    )
    if scan is None:
        raise ScanNotFound()
    return scan
