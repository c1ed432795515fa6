"""Pagination: the API's `?page=` and `?page_size=` (capped so no client can ask for
everything), and a page of a list for the site's pages."""

from django.core.paginator import Page, Paginator
from rest_framework import pagination

#: Cards per page on the site's lists (merchants, offers).
PAGE_SIZE = 24


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginate(request, items, *, per_page: int = PAGE_SIZE) -> tuple[Page, list]:
    """The page `?page=` asks for (the last one when it is past the end, the first when it is
    not a number) and the page numbers to show, with ellipses between distant ones."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page, page_range
