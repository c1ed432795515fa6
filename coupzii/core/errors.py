"""Domain errors with stable codes, and the API's single error shape.

Every API error answers `{"error": {"code": ..., "message": ..., "fields": {...}}}`: clients
switch on `code`, show `message`, and put `fields` messages next to their inputs.
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A business rule refused an action. Subclasses set a stable `code` and an HTTP status.

    Services raise these; pages turn them into form errors and the API into the error shape.
    """

    code = "domain_error"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This action is not allowed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict | None = None,
    ):
        self.message = str(message or self.default_message)
        self.fields = fields or {}
        # Data the client needs to take the next step (a sign-in ticket), sent beside `code`.
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("You may not do this.")


class Conflict(DomainError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This conflicts with the current state; reload and try again.")


class Busy(DomainError):
    """Somebody else holds the lock for this resource right now."""

    code = "busy"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This is being changed by another request; try again in a moment.")


def error_body(*, code: str, message: str, fields: dict | None = None, extra: dict | None = None):
    return {"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}}


def not_found(request, exception=None):
    """The project's handler404: under /api/ the API's error shape (an app can't read a web
    page, and the schema promises JSON), elsewhere the site's own 404 page."""
    if request.path.startswith("/api/"):
        body = error_body(code="not_found", message=str(exceptions.NotFound.default_detail))
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception or Http404())


def api_exception_handler(exc, context):
    """DRF exception handler: DomainError and DRF errors both answer the one error shape."""
    if isinstance(exc, DomainError):
        body = error_body(code=exc.code, message=exc.message, fields=exc.fields, extra=exc.extra)
        return Response(body, status=exc.status_code)
    limit = _over_limit(exc)
    if limit is not None:
        return limit

    # Let DRF turn Http404/PermissionDenied into its exceptions and set headers
    # (WWW-Authenticate, Retry-After), then reshape only the body.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    exc = _as_api_exception(exc)
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            code="invalid",
            message=str(_("Some fields are not valid.")),
            fields=_field_messages(exc.detail),
        )
    else:
        body = error_body(code=_code_of(exc), message=_message_of(exc.detail))
    response.data = body
    return response


# Django's request limits: (the exception, the API's code, HTTP status, message, setting).
_LIMITS = (
    (
        RequestDataTooBig,
        "request_too_large",
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        _("The request body is larger than %(limit)s bytes."),
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
    ),
    (
        TooManyFieldsSent,
        "too_many_fields",
        status.HTTP_400_BAD_REQUEST,
        _("The request has more than %(limit)s fields."),
        "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    ),
    (
        TooManyFilesSent,
        "too_many_files",
        status.HTTP_400_BAD_REQUEST,
        _("The request has more than %(limit)s files."),
        "DATA_UPLOAD_MAX_NUMBER_FILES",
    ),
)


def _over_limit(exc) -> Response | None:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with more fields or files than
    DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES: Django would answer its HTML 400 page, which an app
    can't read; the API answers its own shape."""
    for exception, code, status_code, message, setting in _LIMITS:
        if isinstance(exc, exception):
            text = str(message % {"limit": getattr(settings, setting)})
            return Response(error_body(code=code, message=text), status=status_code)
    return None


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    # simplejwt's errors carry {"detail": ..., "code": ...} with the real code inside.
    if isinstance(codes, dict) and isinstance(codes.get("code"), str):
        return codes["code"]
    return exc.default_code


def _message_of(detail) -> str:
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(_message_of(value) for value in detail.values())
    return str(detail)


def _field_messages(detail) -> dict:
    """{"field": ["message", ...]}; errors not tied to a field go under "non_field_errors".
    A nested object's errors are flattened into its field's list ("store: This field is
    required."), so every field has a list of strings, as the published schema says."""
    if isinstance(detail, dict):
        return {key: _flat_messages(value) for key, value in detail.items()}
    return {"non_field_errors": _flat_messages(detail)}


def _flat_messages(detail) -> list[str]:
    if isinstance(detail, list):
        messages = []
        for item in detail:
            messages.extend(_flat_messages(item) if isinstance(item, list | dict) else [str(item)])
        return messages
    if isinstance(detail, dict):
        # A list's own error ("at least 1 element") is the field's, with no name before it.
        return [
            message if key == "non_field_errors" else f"{key}: {message}"
            for key, value in detail.items()
            for message in _flat_messages(value)
        ]
    return [str(detail)]
