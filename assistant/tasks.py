"""The assistant's Celery tasks: thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task(name="assistant.conversations_purge")
def conversations_purge() -> int:
    return services.conversations_purge()
