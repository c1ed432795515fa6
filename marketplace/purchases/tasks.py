"""Celery tasks of this area (registered by marketplace.apps)."""

from celery import shared_task

from .services import purchases_release_due


@shared_task(name="marketplace.release_due")
def release_due() -> int:
    """Pay sellers whose purchases' dispute windows have ended (beat, every 5 minutes)."""
    return purchases_release_due()
