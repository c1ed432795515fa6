"""Request ids: every request gets one, every log line carries it, every response returns it."""

import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# Accept an id from nginx or a client only if it is short and plain, so logs stay clean.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return _request_id.get()


def _forget_request_id(**kwargs) -> None:
    _request_id.set(None)


# Django logs the response ("Not Found: /x") after the middleware chain has returned, so the
# id must outlive the middleware call; it is cleared when the request is finished instead.
request_finished.connect(_forget_request_id)


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(self.header, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        _request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
