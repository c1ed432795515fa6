"""Celery tasks of this area (registered by marketplace.apps): the swap expiry sweep."""

from celery import shared_task

from .services import exchanges_expire


@shared_task(name="marketplace.exchanges_expire")
def exchanges_expire_task() -> int:
    """Pending swaps older than 48 hours become expired (beat, every few minutes)."""
    return exchanges_expire()
