"""Warming the dashboard's figures after each roll: the chart figures of every range the page
offers as a preset, in every language, computed in the roll's process (beat's worker) right
after the rollups' generation moved, so the first operator after a roll reads them cached
instead of waiting for a year's figures to be added up (about half a second when busy).

Registered with coupzii.core.rollups by DashboardConfig.ready(). The cards' period totals are
not cached (five small queries on every page), so there is nothing of theirs to warm.
"""

from datetime import date

from django.conf import settings
from django.utils import timezone, translation

from coupzii.core import rollups

from . import figures
from .forms import PRESETS, last_days


def figures_warm(*, today: date | None = None) -> int:
    """Compute and cache range_figures for each preset (ending today) in each language of
    settings.LANGUAGES (the cache key holds the language: labels and category names differ).
    Returns how many were cached; none when the generation can't be read (Redis down: there
    is no cache to fill)."""
    if rollups.generation() < 0:
        return 0
    today = today or timezone.localdate()
    warmed = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for days in PRESETS:
                start, end = last_days(days, today)
                figures.range_figures(start=start, end=end)
                warmed += 1
    return warmed


def register() -> None:
    """Warm the figures after every roll (beat's recent run, a backfill)."""
    rollups.after_roll_register(figures_warm)
