"""Warming the dashboard's figures after each roll (coupzii.dashboard.warm): after beat's run,
every preset range reads from the cache in every language, with the new rows in it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

import coupzii.dashboard
from coupzii.core import rollups
from coupzii.dashboard import figures, warm
from coupzii.dashboard.apps import DashboardConfig
from coupzii.dashboard.forms import PRESETS
from offers.models import Click
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warming():
    saved = list(rollups._after_roll)
    warm.register()
    yield
    rollups._after_roll[:] = saved


def test_after_a_roll_every_preset_reads_cached_in_every_language_with_the_new_rows(warming):
    # given a click today, rolled by beat
    today = timezone.localdate()
    offer = OfferFactory()
    Click.objects.create(offer=offer, merchant=offer.merchant, created_at=timezone.now())

    rollups.roll_recent()

    # then every preset, in English and Hindi, costs no query and counts the click
    for language in ("en", "hi"):
        with translation.override(language):
            for days in PRESETS:
                with CaptureQueriesContext(connection) as queries:
                    cached = figures.range_figures(
                        start=today - timedelta(days=days - 1), end=today
                    )
                assert len(queries) == 0, (language, days)
                assert cached.clicks_by_day[-1] == 1
    # a range that is no preset is added up when asked
    with CaptureQueriesContext(connection) as queries:
        figures.range_figures(start=today - timedelta(days=10), end=today)
    assert len(queries) == 8


def test_the_cached_figures_are_what_a_fresh_read_gives(warming):
    today = timezone.localdate()
    offer = OfferFactory()
    Click.objects.create(offer=offer, merchant=offer.merchant, created_at=timezone.now())
    rollups.roll_recent()

    with translation.override("hi"):
        cached = figures.range_figures(start=today - timedelta(days=29), end=today)
        fresh = figures._range_figures(today - timedelta(days=29), today)

    assert cached == fresh


def test_the_app_registers_the_warming_when_it_starts():
    saved = list(rollups._after_roll)
    try:
        rollups._after_roll.clear()
        DashboardConfig("coupzii.dashboard", coupzii.dashboard).ready()
        assert rollups._after_roll == [warm.figures_warm]
    finally:
        rollups._after_roll[:] = saved
