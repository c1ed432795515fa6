"""Celery tasks of the team: mail to people who may have no account yet (invitations)."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    name="brands.team.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_email(*, to: str, subject: str, body: str) -> None:
    """One plain-text email: a task, so an SMTP outage is retried instead of losing it."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
