"""Operators edit the site pages (English and Hindi side by side) in the admin."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Page


@admin.register(Page)
class PageAdmin(TranslationAdmin):
    list_display = ("title", "slug", "is_published", "updated_at", "view_on_site_link")
    list_filter = ("is_published",)
    search_fields = ("title_en", "title_hi", "slug")
    fields = ("title", "slug", "summary", "body", "is_published")
    prepopulated_fields = {"slug": ("title_en",)}

    @admin.display(description=_("on the site"))
    def view_on_site_link(self, page: Page) -> str:
        return format_html('<a href="/pages/{}/">/pages/{}/</a>', page.slug, page.slug)
