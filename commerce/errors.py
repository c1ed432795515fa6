"""Why the shop refused an action: stable codes for the API, messages for people."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import Conflict, DomainError, NotFound


class CartInvalid(DomainError):
    """The cart can't be bought as it is; `fields` says which line or input and why."""

    code = "cart_invalid"
    default_message = _("Some items in your cart need attention.")


class CartEmpty(DomainError):
    code = "cart_empty"
    default_message = _("Your cart is empty.")


class CartFull(DomainError):
    code = "cart_full"
    default_message = _("Your cart holds as many different gift cards as it can.")


class OutOfStock(DomainError):
    code = "out_of_stock"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Not enough of this gift card is left.")


class PromoInvalid(DomainError):
    code = "promo_invalid"
    default_message = _("This promo code can't be used.")


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = _("No such gift card.")


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = _("No such order of yours.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was used for a different order.")


class PaymentInvalid(DomainError):
    """A payment report that doesn't check out: bad signature, another order, wrong amount."""

    code = "payment_invalid"
    default_message = _("We could not verify this payment.")


class WebhookInvalid(DomainError):
    code = "webhook_invalid"
    default_message = _("Bad webhook signature or body.")


class GatewayUnavailable(DomainError):
    code = "gateway_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_message = _("The payment gateway isn't answering. Please try again in a minute.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("The order is not in a state that allows this.")
