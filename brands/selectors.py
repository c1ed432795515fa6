"""The brands app's reads, for other apps and the portal's areas: re-exported from the
sub-package that owns each."""

from .access import memberships_of
from .analytics.selectors import analytics_by_day, analytics_by_offer, analytics_totals
from .books.selectors import (
    book_code_totals,
    book_codes,
    book_export_rows,
    book_for,
    book_jobs,
    books_for,
    job_for,
)
from .coupons.selectors import (
    COUPON_STATUS_LABELS,
    coupon_get,
    coupon_history,
    coupons_filtered,
    coupons_visible,
    products_of,
    stores_of,
    upload_job_get,
)
from .models import Brand, BrandStatus, DeliveryStatus, WebhookDelivery
from .team.selectors import my_memberships, team_departments, team_members
from .till.selectors import api_keys_for_brand, budgets_for_brand, till_recent_redemptions

__all__ = [
    "COUPON_STATUS_LABELS",
    "analytics_by_day",
    "analytics_by_offer",
    "analytics_totals",
    "api_keys_for_brand",
    "book_code_totals",
    "book_codes",
    "book_export_rows",
    "book_for",
    "book_jobs",
    "books_for",
    "brands_waiting_verification",
    "budgets_for_brand",
    "coupon_get",
    "coupon_history",
    "coupons_filtered",
    "coupons_visible",
    "job_for",
    "memberships_of",
    "my_memberships",
    "products_of",
    "stores_of",
    "team_departments",
    "team_members",
    "till_recent_redemptions",
    "upload_job_get",
    "webhook_deliveries_failed",
]


# --- Operators' dashboard ---------------------------------------------------------------------


def brands_waiting_verification() -> int:
    """Brands that signed up and wait for an operator to verify them."""
    return Brand.objects.filter(status=BrandStatus.PENDING).count()


def webhook_deliveries_failed() -> int:
    """Webhook deliveries to brands that were given up after their retries."""
    return WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).count()
