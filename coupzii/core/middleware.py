"""Request ids (every request gets one, every log line carries it, every response returns it),
and the site's own 404 page with DEBUG on."""

import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.http import Http404

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


class SiteNotFoundMiddleware:
    """Unknown pages show the site's own 404 page (the API's JSON one under /api/) with DEBUG
    on too.

    The embedded default runs with DEBUG on, where Django answers a 404 with its technical page
    (the URL patterns tried): a shopper trying the demo should meet the page production shows.
    A developer who wants Django's page sets DEBUG_TECHNICAL_404=true; the "Not Found" log
    line is there either way. Last in MIDDLEWARE, so the page it renders still gets its CSRF
    cookie and messages, and CommonMiddleware can still turn a 404 into a slash redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No resolver match: no URL pattern matched, and DEBUG made that the technical page.
        if response.status_code == 404 and request.resolver_match is None and self._active():
            return _not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and self._active():
            return _not_found(request, exception)
        return None

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not settings.DEBUG_TECHNICAL_404


def _not_found(request, exception):
    # Imported here: logging (configured with the settings) reads request ids from this module,
    # before the REST framework that the error module uses can load.
    from .errors import not_found

    return not_found(request, exception)
