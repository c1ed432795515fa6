"""Middleware that answers 400 for a URL holding a NUL, before any view runs."""

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from .errors import error_body


class RefuseNulMiddleware:
    """A NUL (`%00`) in a path answers 400 (in the API's error shape under /api/), and on
    pages in the query string too.

    PostgreSQL refuses NUL in text, so a view that hands a path segment (a product's slug, an
    order number) or a page's search term to a query failed with a DataError, a 500. No link
    we make and nothing a person types holds one. The API's query parameters and bodies are
    read by its serializers (whose text fields refuse NUL, naming the field) or, for the
    affiliate postback, checked field by field; pages' forms refuse NUL too, but several page
    views read a search term or a tab straight from the query string.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        query = "" if api else request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            message = _("The address contains a NUL character (%00).")
            if api:
                return JsonResponse(error_body(code="invalid", message=message), status=400)
            return bad_request(request, BadRequest(message))
        return self.get_response(request)
