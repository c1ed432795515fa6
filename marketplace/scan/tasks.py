"""Celery tasks of the scan area (registered by marketplace.apps): read one screenshot, and
the daily purge of screenshots older than 7 days."""

from celery import shared_task

from . import services


@shared_task(name="marketplace.scan_read")
def scan_read(scan_id: int) -> str | None:
    """Read one uploaded screenshot (queued on commit by scan_start)."""
    scan = services.scan_run(scan_id)
    return scan.status if scan else None


@shared_task(name="marketplace.scans_purge")
def scans_purge() -> int:
    """Daily (beat): delete screenshots older than 7 days."""
    purged = total = 0
    while purged := services.scans_purge():
        total += purged
    return total
