"""Reads for site pages."""

from .models import Page


def page_published(*, slug: str) -> Page | None:
    """The published page at `slug`, or None."""
    return Page.objects.filter(slug=slug, is_published=True).first()
