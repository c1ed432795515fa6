"""Celery tasks of the locker (registered by marketplace.apps)."""

from celery import shared_task

from . import services


@shared_task(name="marketplace.expiry_nudges")
def expiry_nudges() -> dict[str, int]:
    """Daily (beat): coupons past their expiry day expire, then coupons expiring within 7 days
    get their one nudge to sell or swap."""
    expired = nudged = 0
    # Each call is one transaction over a batch: a big day runs in several.
    while batch := services.locker_expire_due():
        expired += batch
    while batch := services.locker_expiry_nudges():
        nudged += batch
    return {"expired": expired, "nudged": nudged}
