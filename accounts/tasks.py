"""Celery tasks for accounts: thin wrappers that deliver messages after the commit."""

from celery import shared_task
from django.core.mail import send_mail

from . import notifications, services, sms


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sms(*, to: str, body: str) -> str:
    return sms.send_sms(to=to, body=body)


# One task per channel, so a retried SMS never sends the email a second time. SMTP errors and
# SMS provider outages are OSError subclasses; a refused message (SmsRejected) is not retried.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notification(*, notification_id: int, channel: str) -> bool:
    return notifications.notification_deliver(notification_id=notification_id, channel=channel)


# notifications_send's deliveries, a few hundred a message: each (notification id, channel)
# pair becomes its own deliver_notification, published through one producer, so every delivery
# keeps its own retries and runs on whichever worker is free. Acknowledged on receipt (not
# late): a worker lost halfway must not queue again the deliveries it already queued (each
# would go out twice); the rest are lost, as they were when the sender published them itself
# and died halfway.
@shared_task(name="accounts.deliver_notifications", acks_late=False)
def deliver_notifications(*, deliveries: list[tuple[int, str]]) -> int:
    with deliver_notifications.app.producer_or_acquire() as producer:
        for notification_id, channel in deliveries:
            deliver_notification.apply_async(
                kwargs={"notification_id": notification_id, "channel": channel},
                producer=producer,
            )
    return len(deliveries)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: str, subject: str, body: str) -> None:
    """One plain-text email to one address (sign-in codes): a task, so an SMTP outage is
    retried instead of failing the sign-in."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])


@shared_task(name="accounts.prune_password_failures")
def prune_password_failures() -> int:
    return services.password_failures_prune()
