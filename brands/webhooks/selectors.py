"""Webhook endpoints' reads, shared by the pages and the API."""

from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from brands.models import Brand, DeliveryStatus, Webhook, WebhookDelivery

RECENT = timedelta(days=7)


def webhooks_for_brand(brand: Brand) -> QuerySet[Webhook]:
    """The brand's endpoints, newest first, each with the last 7 days' delivery counts
    (`recent_total`, `recent_delivered`, `recent_failed`, `recent_open`) and its last
    delivery's time: one query, however many endpoints."""
    recent = Q(deliveries__created_at__gte=timezone.now() - RECENT)

    def recent_count(*statuses) -> Count:
        return Count("deliveries", filter=recent & Q(deliveries__status__in=statuses))

    return (
        Webhook.objects.filter(brand=brand)
        .select_related("created_by")
        .annotate(
            recent_total=Count("deliveries", filter=recent),
            recent_delivered=recent_count(DeliveryStatus.DELIVERED),
            recent_failed=recent_count(DeliveryStatus.FAILED),
            recent_open=recent_count(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
            last_delivery_at=Max("deliveries__created_at"),
        )
        .order_by("-created_at", "-id")
    )


def webhook_for_brand(brand: Brand, public_id) -> Webhook | None:
    """One of the brand's endpoints by public id; None for another brand's or a bad id."""
    return Webhook.objects.filter(brand=brand, public_id=public_id).first()


def webhook_count(brand: Brand) -> int:
    return Webhook.objects.filter(brand=brand).count()


def deliveries_for_webhook(webhook: Webhook, *, status: str = "") -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first, optionally of one status."""
    deliveries = WebhookDelivery.objects.filter(webhook=webhook)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def delivery_for_brand(brand: Brand, public_id) -> WebhookDelivery | None:
    """One delivery of one of the brand's endpoints; None for another brand's."""
    return (
        WebhookDelivery.objects.filter(webhook__brand=brand, public_id=public_id)
        .select_related("webhook")
        .first()
    )
