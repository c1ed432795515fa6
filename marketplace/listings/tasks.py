"""Celery tasks of the listings area (registered by marketplace.apps)."""

from celery import shared_task

from . import services


@shared_task(name="marketplace.listings_withdraw_expiring")
def listings_withdraw_expiring() -> int:
    """Withdraw live listings whose coupon expires within 24 hours (beat)."""
    return services.listings_withdraw_expiring()
