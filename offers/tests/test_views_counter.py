"""Offer views: counted in Redis when offers are shown on a list or their own answer, flushed
by beat into the day's row and the offer's total, never twice."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from offers import services, tasks, views_counter
from offers.models import Offer, OfferStatus, OfferViewDay
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def days(offer) -> dict[date, int]:
    return dict(OfferViewDay.objects.filter(offer=offer).values_list("date", "views"))


def test_counting_views_writes_nothing_to_the_database(django_assert_num_queries):
    offer = OfferFactory()

    with django_assert_num_queries(0):
        services.offer_views_count([offer.pk, offer.pk])
        services.offer_views_count([offer.pk])

    assert views_counter.offer_views_waiting() == 1
    assert not OfferViewDay.objects.exists()


def test_flush_adds_views_to_the_day_and_the_total_and_twice_changes_nothing():
    first, second = OfferFactory(), OfferFactory()
    today = timezone.localdate()
    for _ in range(3):
        services.offer_views_count([first.pk, second.pk])
    services.offer_views_count([first.pk])

    assert tasks.flush_offer_views() == 7
    assert tasks.flush_offer_views() == 0

    assert days(first) == {today: 4}
    assert days(second) == {today: 3}
    first.refresh_from_db()
    assert first.views_count == 4
    assert views_counter.offer_views_waiting() == 0


def test_a_later_flush_adds_to_the_days_row():
    offer = OfferFactory()
    services.offer_views_count([offer.pk])
    services.offer_views_flush()
    services.offer_views_count([offer.pk])
    services.offer_views_count([offer.pk])

    services.offer_views_flush()

    assert days(offer) == {timezone.localdate(): 3}
    offer.refresh_from_db()
    assert offer.views_count == 3


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_a_view_counts_on_its_day_in_india_time():
    offer = OfferFactory()
    # 19:00 UTC on 6 December is 00:30 on 7 December in India
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 12, 6, 19, 0, tzinfo=UTC)
    ):
        services.offer_views_count([offer.pk])
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 12, 6, 18, 29, tzinfo=UTC)
    ):
        services.offer_views_count([offer.pk])

    services.offer_views_flush()

    assert days(offer) == {date(2026, 12, 6): 1, date(2026, 12, 7): 1}


def test_views_of_an_offer_deleted_before_the_flush_are_dropped():
    kept, deleted = OfferFactory(), OfferFactory()
    services.offer_views_count([kept.pk, deleted.pk])
    Offer.objects.filter(pk=deleted.pk).delete()

    assert services.offer_views_flush() == 1

    assert days(kept) == {timezone.localdate(): 1}


def test_a_failed_write_puts_the_views_back_for_the_next_flush():
    offer = OfferFactory()
    services.offer_views_count([offer.pk])
    services.offer_views_count([offer.pk])

    # the database goes away in the middle of the write
    with (
        mock.patch.object(views_counter, "_add_totals", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        services.offer_views_flush()

    assert days(offer) == {}  # the day's row was rolled back with the totals
    services.offer_views_count([offer.pk])
    assert services.offer_views_flush() == 3
    assert days(offer) == {timezone.localdate(): 3}


def test_views_are_counted_beside_clicks_never_in_place_of_them():
    offer = OfferFactory(status=OfferStatus.ACTIVE)
    services.offer_views_count([offer.pk])

    services.offer_views_flush()

    offer.refresh_from_db()
    assert (offer.views_count, offer.clicks_count, offer.claims_count) == (1, 0, 0)


def test_the_beat_schedule_flushes_views_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["offers-flush-views"]
    assert entry == {"task": "offers.flush_offer_views", "schedule": 60.0}
