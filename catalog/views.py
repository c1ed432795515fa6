"""Catalog pages: the store directory and the category index.

A merchant's own page and a category's offers show offers, so they live in offers/views.py
(offers depends on catalog, never the reverse).
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from coupzii.core.pagination import paginate

from . import selectors
from .selectors import MAX_QUERY_LENGTH


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
