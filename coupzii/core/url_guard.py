"""Middleware that answers 400 for a URL holding a NUL, before any view runs."""

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from .errors import error_body


class RefuseNulMiddleware:
    """A NUL (`%00`) in the path or the query string answers 400: in the API's error shape
    under /api/, the site's 400 page elsewhere.

    PostgreSQL refuses NUL in text, so a view that hands a path segment (a product's slug, an
    order number) or a search term to a query failed with a DataError, a 500. No link we make
    and nothing a person types holds one. Bodies are covered where they are read: Django's
    and DRF's text fields refuse NUL, and so does the API's JSON parser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return self._refusal(request)
        return self.get_response(request)

    def _refusal(self, request):
        message = _("The address contains a NUL character (%00).")
        if request.path_info.startswith("/api/"):
            return JsonResponse(error_body(code="invalid", message=message), status=400)
        return bad_request(request, BadRequest(message))
