"""The brands app's reads, for other apps and the portal's areas: re-exported from the
sub-package that owns each."""

from .access import memberships_of
from .analytics.selectors import analytics_by_day, analytics_by_offer, analytics_totals
from .team.selectors import my_memberships, team_departments, team_members

__all__ = [
    "analytics_by_day",
    "analytics_by_offer",
    "analytics_totals",
    "memberships_of",
    "my_memberships",
    "team_departments",
    "team_members",
]
