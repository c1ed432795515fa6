"""Calibration of the cashback arrival ranges: stores whose delays to confirmation follow known
distributions (fast and slow, narrow and long-tailed) get a history written over the last 500
days, as it would have happened (sales not confirmed yet are still pending, some sales are
declined); the ranges are learned from it, then checked against confirmations held back from
the learning, drawn from the same distributions: by the range's end about 80% are confirmed
(as the tracker says), and about 70% fall inside the range (10th to 80th percentile).

Runs on SQLite and PostgreSQL: the learning's grouped query counts days in India on both."""

import random
import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.tests.factories import MerchantFactory
from wallet.arrival import arrival_estimates_refresh
from wallet.models import ArrivalEstimate
from wallet.tests.arrival_history import past_sales

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo(settings.TIME_ZONE)
HISTORY_DAYS = 500
SALES = 700  # per store over HISTORY_DAYS: about 500 confirmed in the learning year
HELD_BACK = 4000
DECLINED_SHARE = 0.15


def gamma(shape, scale):
    return lambda rng: rng.gammavariate(shape, scale)


def lognormal(median_days, sigma):
    import math

    return lambda rng: rng.lognormvariate(math.log(median_days), sigma)


# name: days from report to confirmation (fractional: sales confirm at any time of day)
STORES = {
    "Zomato": gamma(4, 2.5),  # about 10 days, narrow
    "Myntra": gamma(6, 6),  # about 36 days
    "Amazon": lognormal(55, 0.35),  # about 60 days
    "Nykaa": lognormal(20, 0.7),  # a long tail: some take months
}


def history(rng, delay, now):
    """SALES sales reported at random times over HISTORY_DAYS; each is declined after a few
    days (15%), or confirmed after `delay`, or, if that is still ahead, pending."""
    reported, confirmed, declined = [], [], []
    for _ in range(SALES):
        at = now - timedelta(days=rng.uniform(0, HISTORY_DAYS))
        reported.append(at)
        if rng.random() < DECLINED_SHARE:
            wait = timedelta(days=rng.uniform(3, 20))
            declined.append(wait if at + wait < now else None)
            confirmed.append(None)
        else:
            wait = timedelta(days=delay(rng))
            confirmed.append(wait if at + wait < now else None)
            declined.append(None)
    return reported, confirmed, declined


def held_back_days(rng, delay, now) -> list[int]:
    """Calendar days in India from report to confirmation of sales not learned from."""
    days = []
    for _ in range(HELD_BACK):
        at = now - timedelta(days=rng.uniform(0, 365))
        confirmed_at = at + timedelta(days=delay(rng))
        days.append((confirmed_at.astimezone(IST).date() - at.astimezone(IST).date()).days)
    return days


def test_the_learned_ranges_hold_the_share_they_state_on_held_back_confirmations():
    rng = random.Random(16)
    now = timezone.now()
    stores = {}
    for name, delay in STORES.items():
        store = MerchantFactory(name=name, affiliate_network="admitad")
        reported, confirmed, declined = history(rng, delay, now)
        past_sales(store, reported=reported, confirmed_after=confirmed, declined_after=declined)
        stores[name] = store

    arrival_estimates_refresh(now=now)

    for name, delay in STORES.items():
        estimate = ArrivalEstimate.objects.get(network="admitad", merchant=stores[name])
        days = held_back_days(rng, delay, now)
        by_end = 100 * sum(d <= estimate.confirm_high_days for d in days) / len(days)
        low, high = estimate.confirm_low_days, estimate.confirm_high_days
        inside = 100 * sum(low <= d <= high for d in days) / len(days)
        print(
            f"{name}: learned from {estimate.confirmed} confirmations, range {low}-{high} days "
            f"(median {estimate.confirm_median_days}): {by_end:.1f}% of held-back "
            f"confirmations by the end, {inside:.1f}% inside"
        )
        assert abs(by_end - 80) <= 7, name
        assert abs(inside - 70) <= 7, name
        assert estimate.declined > 0 and 3 <= estimate.decline_median_days <= 20
