"""Back office for ratings (imported by marketplace.admin): read-only, by stars."""

from django.contrib import admin

from coupzii.core.admin import ReadOnlyAdmin

from ..models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("purchase", "rater", "ratee", "stars", "comment", "created_at")
    list_filter = ("stars",)
    list_select_related = ("purchase", "rater", "ratee")
    search_fields = ("purchase__number", "rater__email", "ratee__email")
    raw_id_fields = ("purchase", "rater", "ratee")
