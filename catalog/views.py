"""Catalog pages: the store directory and the category index.

A merchant's own page and a category's offers show offers, so they live in offers/views.py
(offers depends on catalog, never the reverse).
"""

from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors

PAGE_SIZE = 24
MAX_QUERY_LENGTH = 100


def paginate(request, items, *, per_page: int = PAGE_SIZE) -> tuple[Page, list]:
    """The page `?page=` asks for (the last one when it is past the end, the first when it is
    not a number) and the page numbers to show, with ellipses between distant ones."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page, page_range


@require_safe
def merchant_list(request):
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    categories = list(selectors.categories_active())
    known = {c.slug for c in categories} | {k.slug for c in categories for k in c.children.all()}
    category_slug = request.GET.get("category", "")
    category_slug = category_slug if category_slug in known else ""
    page, page_range = paginate(request, selectors.merchants_list(q=q, category_slug=category_slug))
    return render(
        request,
        "catalog/merchant_list.html",
        {
            "page": page,
            "page_range": page_range,
            "q": q,
            "categories": categories,
            "category_slug": category_slug,
            "filtered": bool(q or category_slug),
        },
    )


@require_safe
def category_list(request):
    return render(
        request,
        "catalog/category_list.html",
        {"categories": selectors.categories_active()},
    )
