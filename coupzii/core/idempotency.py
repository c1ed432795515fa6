"""The `Idempotency-Key` header of money-moving API requests, read one way everywhere."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from .errors import DomainError

HEADER = "Idempotency-Key"


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    default_message = _(
        "Send an Idempotency-Key header, new for each action you mean to take and the same "
        "when you retry it."
    )


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    default_message = _("The Idempotency-Key header is too long.")


def idempotency_key(request: Request, *, max_length: int, required: bool = True) -> str:
    """The stripped header value. Raises IdempotencyKeyRequired when it is missing and
    `required`, InvalidIdempotencyKey when longer than `max_length` (the column it goes in)."""
    key = request.headers.get(HEADER, "").strip()
    if not key and required:
        raise IdempotencyKeyRequired(fields={HEADER: [str(IdempotencyKeyRequired.default_message)]})
    if len(key) > max_length:
        message = _("The Idempotency-Key header must be 1 to %(n)d characters.") % {"n": max_length}
        raise InvalidIdempotencyKey(message, fields={HEADER: [message]})
    if not key.isprintable():
        # A NUL (which PostgreSQL refuses in the key's column) or another control character.
        message = _("The Idempotency-Key header must be printable text.")
        raise InvalidIdempotencyKey(message, fields={HEADER: [message]})
    return key


def idempotency_key_parameter(
    *, max_length: int, new_for_each: str, required: bool = True
) -> OpenApiParameter:
    """The header as an operation's OpenAPI parameter, worded the same on every operation:
    `new_for_each` says what one key stands for ("order you mean to place")."""
    return OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description=f"1 to {max_length} characters, new for each {new_for_each}.",
    )
