"""Webhook endpoints' writes: create, change, rotate the secret, switch off and on, delete,
send a delivery again, send a test event."""

import secrets

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, DeliveryStatus, Membership, Role, Webhook, WebhookDelivery
from brands.tiers import limits_for

from . import errors, guard
from . import events as webhook_events

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
NOTIFICATION_KIND = "brand_webhook_disabled"


class DisabledReason(models.TextChoices):
    BY_MEMBER = "by_member", _("Switched off by your team.")
    GIVE_UPS = "give_ups", _("Five deliveries in a row failed for a day each.")
    FAILING = "failing", _("Every delivery failed for 24 hours.")


def secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    refusal = guard.url_refusal(url)
    if refusal:
        raise errors.WebhookUrlRefused(fields={"url": [refusal]})
    return url


def _clean_events(chosen) -> list[str]:
    chosen = list(dict.fromkeys(chosen or []))
    if any(not isinstance(name, str) or name not in webhook_events.EVENTS for name in chosen):
        raise errors.WebhookEventsInvalid(
            fields={"events": [str(errors.WebhookEventsInvalid.default_message)]}
        )
    # Every event listed is the same as none listed: store it as "all", so events added
    # later reach this endpoint too.
    return [] if set(chosen) == webhook_events.EVENTS else sorted(chosen)


@transaction.atomic
def webhook_create(
    *, brand: Brand, url: str, events: list[str] | None = None, created_by=None
) -> tuple[Webhook, str]:
    """Add an endpoint receiving `events` (none: every event).

    Returns the webhook and its signing secret, to show now (it is stored encrypted and shown
    again only by rotating it). Raises WebhookUrlRefused, WebhookEventsInvalid,
    WebhookLimitReached (the tier's endpoints).
    """
    clean_url = _clean_url(url)
    clean_events = _clean_events(events)
    # The brand row lock queues two admins adding endpoints at once, so both cannot read the
    # count before either inserts (the tier limit holds).
    Brand.objects.select_for_update().filter(pk=brand.pk).first()
    if Webhook.objects.filter(brand=brand).count() >= limits_for(brand).webhooks:
        raise errors.WebhookLimitReached()
    secret = secret_new()
    webhook = Webhook.objects.create(
        brand=brand, url=clean_url, events=clean_events, secret=secret, created_by=created_by
    )
    return webhook, secret


def webhook_update(
    *, webhook: Webhook, url: str | None = None, events: list[str] | None = None
) -> Webhook:
    """Change the endpoint's URL and/or events (None: leave as it is). Raises
    WebhookUrlRefused, WebhookEventsInvalid."""
    changed = []
    if url is not None:
        webhook.url = _clean_url(url)
        changed.append("url")
    if events is not None:
        webhook.events = _clean_events(events)
        changed.append("events")
    if changed:
        webhook.save(update_fields=[*changed, "updated_at"])
    return webhook


def webhook_secret_rotate(*, webhook: Webhook) -> tuple[Webhook, str]:
    """A new signing secret, effective for every attempt from now on (retries of older
    events too). Returns the webhook and the secret, to show now."""
    secret = secret_new()
    webhook.secret = secret
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook, secret


@transaction.atomic
def webhook_disable(*, webhook: Webhook, reason: str = DisabledReason.BY_MEMBER) -> Webhook:
    """Stop sending to `webhook`; its open deliveries are given up at their next attempt.
    When we stop it (its deliveries kept failing), the brand's owners get a notification and
    an email, after the commit."""
    if not webhook.active:
        return webhook
    webhook.active = False
    webhook.disabled_at = timezone.now()
    webhook.disabled_reason = reason
    webhook.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    if reason != DisabledReason.BY_MEMBER:
        _owners_notify(webhook)
    return webhook


def webhook_enable(*, webhook: Webhook) -> Webhook:
    """Send to `webhook` again, with its failure count cleared. Deliveries given up while it
    was off stay given up: send them again from the log if they still matter."""
    webhook.active = True
    webhook.disabled_at = None
    webhook.disabled_reason = ""
    webhook.consecutive_failures = 0
    webhook.failing_since = None
    webhook.save(
        update_fields=[
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "failing_since",
            "updated_at",
        ]
    )
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove the endpoint and its delivery log; tasks already queued find nothing to send."""
    webhook.delete()


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same event id and body, a fresh signature), after the commit.

    Raises WebhookDisabled (switch the endpoint on first), DeliveryOpen (its retries are
    still running: it is sent on schedule, or "send again" once it is settled).
    """
    delivery = (
        WebhookDelivery.objects.select_for_update().select_related("webhook").get(pk=delivery.pk)
    )
    if not delivery.webhook.active:
        raise errors.WebhookDisabled()
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
        raise errors.DeliveryOpen()
    delivery.status = DeliveryStatus.RETRYING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    delivery_id, attempts = delivery.pk, delivery.attempts
    transaction.on_commit(
        lambda: webhook_events.deliveries_enqueue(delivery_ids=[delivery_id], attempts=attempts)
    )
    return delivery


@transaction.atomic
def webhook_ping(*, webhook: Webhook) -> WebhookDelivery:
    """Send a test event (`ping`) to this one endpoint, whatever it subscribes to. Raises
    WebhookDisabled."""
    if not webhook.active:
        raise errors.WebhookDisabled()
    [delivery] = webhook_events.deliveries_create(
        brand=webhook.brand,
        webhooks=[webhook],
        event=webhook_events.PING,
        data={"message": "A test event from Coupzii.", "webhook": str(webhook.public_id)},
    )
    return delivery


def _owners_notify(webhook: Webhook) -> None:
    from accounts.services import EMAIL, Notice, notifications_send

    brand = webhook.brand
    owners = Membership.objects.filter(brand=brand, role=Role.OWNER).select_related("user")
    link = reverse("brands:webhook_list", kwargs={"brand_slug": brand.slug})
    url = webhook.url
    reason = DisabledReason(webhook.disabled_reason).label
    notifications_send(
        [
            Notice(
                user=owner.user,
                kind=NOTIFICATION_KIND,
                title=_("A webhook endpoint was switched off"),
                body=lambda: (
                    _(
                        "We stopped sending %(brand)s's events to %(url)s. %(reason)s Fix the "
                        "endpoint, then switch it on again on the Webhooks page."
                    )
                    % {"brand": brand.name, "url": url, "reason": reason}
                ),
                link=link,
                channels=(EMAIL,),
            )
            for owner in owners
        ]
    )
