"""Why a webhook action was refused: stable codes for the API and the pages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import DomainError


class WebhookLimitReached(DomainError):
    code = "webhook_limit_reached"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Your plan allows no more webhook endpoints. Delete one first.")


class WebhookUrlRefused(DomainError):
    code = "webhook_url_refused"
    default_message = _("This address cannot receive webhooks.")


class WebhookEventsInvalid(DomainError):
    code = "webhook_events_invalid"
    default_message = _("Choose events from the list, or none for every event.")


class WebhookDisabled(DomainError):
    code = "webhook_disabled"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This endpoint is switched off. Switch it on first.")


class DeliveryOpen(DomainError):
    code = "delivery_open"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This delivery is still being sent; wait for its next attempt.")
