"""Celery tasks of this area (registered by marketplace.apps)."""

from celery import shared_task

from .services import disputes_overdue


@shared_task(name="marketplace.disputes_overdue")
def disputes_overdue_task() -> int:
    """Beat: disputes the seller left unanswered for 24 hours go to the operators."""
    return disputes_overdue()
