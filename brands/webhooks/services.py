"""Webhook endpoints' writes: create, change, rotate the secret, disable, enable, delete,
send a delivery again, send a test event."""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Membership, Role, Webhook


class DisabledReason(models.TextChoices):
    BY_MEMBER = "by_member", _("Switched off by your team.")
    GIVE_UPS = "give_ups", _("Five deliveries in a row failed for a day each.")
    FAILING = "failing", _("Every delivery failed for 24 hours.")


NOTIFICATION_KIND = "brand_webhook_disabled"


def webhook_disable(*, webhook: Webhook, reason: str) -> Webhook:
    """Stop sending to `webhook`. When we stop it (its deliveries kept failing), the brand's
    owners get a notification and an email, after the commit."""
    if not webhook.active:
        return webhook
    webhook.active = False
    webhook.disabled_at = timezone.now()
    webhook.disabled_reason = reason
    webhook.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    if reason != DisabledReason.BY_MEMBER:
        _owners_notify(webhook)
    return webhook


def _owners_notify(webhook: Webhook) -> None:
    from django.urls import reverse

    from accounts.services import EMAIL, Notice, notifications_send

    brand = webhook.brand
    owners = Membership.objects.filter(brand=brand, role=Role.OWNER).select_related("user")
    link = reverse("brands:webhook_list", kwargs={"brand_slug": brand.slug})
    url = webhook.url
    reason = DisabledReason(webhook.disabled_reason).label
    with transaction.atomic():
        notifications_send(
            [
                Notice(
                    user=owner.user,
                    kind=NOTIFICATION_KIND,
                    title=lambda: (
                        _("A webhook of %(brand)s was switched off") % {"brand": brand.name}
                    ),
                    body=lambda: (
                        _(
                            "We stopped sending events to %(url)s: %(reason)s Fix the endpoint, "
                            "then switch it on again on the Webhooks page."
                        )
                        % {"url": url, "reason": reason}
                    ),
                    link=link,
                    channels=(EMAIL,),
                )
                for owner in owners
            ]
        )
