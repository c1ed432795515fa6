"""The brands app's reads, for other apps and the portal's areas: re-exported from the
sub-package that owns each."""

from .access import memberships_of
from .analytics.selectors import analytics_by_day, analytics_by_offer, analytics_totals
from .team.selectors import my_memberships, team_departments, team_members
from .till.selectors import api_keys_for_brand, budgets_for_brand, till_recent_redemptions

__all__ = [
    "analytics_by_day",
    "analytics_by_offer",
    "analytics_totals",
    "api_keys_for_brand",
    "budgets_for_brand",
    "memberships_of",
    "my_memberships",
    "team_departments",
    "team_members",
    "till_recent_redemptions",
]
