import statistics
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from catalog.models import Merchant
from commerce.models import Order, OrderDay, OrderStatus
from coupzii.core.rollups import day_bounds
from coupzii.dashboard.demo import BACKFILL_DAYS
from offers import demo as offers_demo
from offers.models import Click, OfferViewDay, StoreDay
from wallet.ledger import ledger_problems
from wallet.models import (
    ArrivalEstimate,
    CashbackDay,
    CashbackEvent,
    CashbackStage,
    CashbackStatus,
    PayoutDay,
    Posting,
    Withdrawal,
    WithdrawalStatus,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = set(User.objects.values_list("email", "password"))
    history = _history_counts()
    call_command("seed_demo")

    assert set(User.objects.values_list("email", "password")) == first
    assert User.objects.filter(email="admin@coupzii.test", is_superuser=True).exists()
    assert _history_counts() == history
    assert ledger_problems() == []


def _history_counts() -> dict:
    return {
        "clicks": Click.objects.count(),
        "view days": OfferViewDay.objects.count(),
        "orders": Order.objects.count(),
        "cashback": CashbackEvent.objects.count(),
        "withdrawals": Withdrawal.objects.count(),
    }


@pytest.fixture
def history(settings):
    settings.DEBUG = True
    call_command("seed_demo")  # the dashboard's step (rollups, rails) runs last
    today = timezone.localdate()
    clicks = Counter(
        timezone.localdate(at)
        for at in Click.objects.filter(user_agent=offers_demo.HISTORY_AGENT).values_list(
            "created_at", flat=True
        )
    )
    return today, clicks


def test_the_demo_has_a_year_of_clicks_busier_at_weekends_and_before_diwali(history):
    today, clicks = history
    first_day, _last = offers_demo.history_window(today)
    days = [first_day + timedelta(days=n) for n in range((today - first_day).days + 1)]

    # every day of the year has clicks (today's may not have come yet), by shoppers and visitors
    assert [day for day in days[:-1] if not clicks[day]] == []
    assert Click.objects.filter(user_agent=offers_demo.HISTORY_AGENT, user=None).exists()
    assert Click.objects.filter(user_agent=offers_demo.HISTORY_AGENT, user__isnull=False).exists()
    # weekends are busier than weekdays (today, still under way, left out)
    full = days[:-1]
    weekend = statistics.mean(clicks[d] for d in full if d.weekday() >= 5)
    weekday = statistics.mean(clicks[d] for d in full if d.weekday() < 5)
    assert weekend > weekday * 1.2
    # the site grew: the last quarter is busier than the first
    assert sum(clicks[d] for d in full[-90:]) > 1.4 * sum(clicks[d] for d in full[:90])
    # the busiest week of the year is the fortnight before Diwali
    diwali = offers_demo.diwali_in(first_day, today)
    weeks = [full[n : n + 7] for n in range(0, len(full) - 6, 7)]
    busiest = max(weeks, key=lambda week: sum(clicks[d] for d in week))
    assert diwali - timedelta(days=21) <= busiest[-1] and busiest[0] <= diwali + timedelta(days=3)
    # a few stores take most clicks
    by_store = Counter(
        Click.objects.filter(user_agent=offers_demo.HISTORY_AGENT).values_list(
            "merchant__slug", flat=True
        )
    )
    top_three = [slug for slug, _count in by_store.most_common(3)]
    assert set(top_three) == {"amazon", "flipkart", "myntra"}
    assert sum(count for _slug, count in by_store.most_common(3)) > 0.3 * sum(by_store.values())


def test_the_demo_history_has_orders_cashback_and_payouts_and_moves_no_money(history):
    year_ago = timezone.now() - timedelta(days=365)

    # every order status; "paid" (waiting for codes) is left out of the history: fulfilling
    # it would settle money these rows never took
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses >= set(OrderStatus.values) - {OrderStatus.PAID}
    history_orders = Order.objects.filter(idempotency_key__startswith="demo-history-")
    assert history_orders.filter(created_at__lt=year_ago + timedelta(days=30)).exists()
    assert history_orders.filter(status=OrderStatus.FULFILLED, refunded_amount__gt=0).exists()
    # cashback in every stage, and paid withdrawals across the year
    events = CashbackEvent.objects.filter(network_txn_id__startswith="DEMOH-")
    assert set(events.values_list("status", flat=True)) == set(CashbackStatus.values)
    assert events.filter(merchant=None, user=None).exists()  # sales no click was found for
    paid = Withdrawal.objects.filter(idempotency_key__startswith="demo-history-")
    assert paid.filter(status=WithdrawalStatus.PAID).count() > 50
    # history rows move no money, and the ledger is sound
    shoppers = User.objects.filter(email__endswith=offers_demo.HISTORY_EMAIL_DOMAIN)
    assert not Posting.objects.filter(account__user__in=shoppers).exists()
    assert ledger_problems() == []


def test_each_store_confirms_cashback_after_its_own_delay(history):
    delays = {}
    for slug in ("zomato", "myntra", "amazon"):
        confirmed = CashbackEvent.objects.filter(
            network_txn_id__startswith="DEMOH-",
            merchant__slug=slug,
            status=CashbackStatus.CONFIRMED,
        ).values_list("created_at", "confirmed_at")
        days = [(done - reported).total_seconds() / 86400 for reported, done in confirmed]
        assert len(days) >= 20, slug  # enough for the store's own arrival estimate
        delays[slug] = statistics.median(days)

    assert 7 <= delays["zomato"] <= 14
    assert 28 <= delays["myntra"] <= 42
    assert 50 <= delays["amazon"] <= 70
    # and the seed learned each store's own arrival estimate from them
    learned = dict(
        ArrivalEstimate.objects.filter(merchant__slug__in=delays).values_list(
            "merchant__slug", "confirm_median_days"
        )
    )
    assert learned["zomato"] < learned["myntra"] < learned["amazon"]
    assert Merchant.objects.get(slug="amazon").learned_from_network is False


def test_demo_users_can_sign_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")

    assert client.login(username="asha@coupzii.test", password="coupzii-shopper-demo")


def test_seed_demo_refuses_a_site_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_every_demo_brand_page_opens_for_its_owner(settings, client):
    """The portal's demo: each menu page of each demo brand answers 200 to its owner, the
    dashboard shows rolled-up history, and the analyst's and till user's logins work."""
    from accounts.tests.factories import sign_in_verified
    from brands.models import Brand, Membership, OfferDay, Role
    from brands.portal import NAV

    settings.DEBUG = True
    call_command("seed_demo")

    brands = list(Brand.objects.order_by("slug"))
    assert [brand.slug for brand in brands] == ["ajio", "myntra"]
    for brand in brands:
        assert OfferDay.objects.filter(brand=brand).dates("date", "day").count() >= 80
        owner = Membership.objects.get(brand=brand, role=Role.OWNER).user
        sign_in_verified(client, owner)
        for name, _label, _permission in NAV:
            response = client.get(_url(name, brand))
            assert response.status_code == 200, (brand.slug, name)
        for local in ("analyst", "till"):
            assert client.login(
                username=f"{local}@{brand.slug}.coupzii.test", password="coupzii-brand-demo"
            )


def _url(name: str, brand) -> str:
    from django.urls import reverse

    return reverse(f"brands:{name}", args=[brand.slug])


def test_the_dashboard_rollups_hold_the_year(history):
    today, _clicks = history
    start = today - timedelta(days=BACKFILL_DAYS - 1)
    lo, hi = day_bounds(start, today)

    rolled_clicks = StoreDay.objects.aggregate(total=Sum("clicks"))["total"]
    assert rolled_clicks == Click.objects.filter(created_at__gte=lo, created_at__lt=hi).count()
    assert StoreDay.objects.dates("date", "day").count() >= BACKFILL_DAYS - 1
    rolled_statuses = set(OrderDay.objects.values_list("status", flat=True))
    assert rolled_statuses >= set(OrderStatus.values) - {OrderStatus.PAID}
    assert set(CashbackDay.objects.values_list("stage", flat=True)) == set(CashbackStage.values)
    assert CashbackDay.objects.filter(merchant=None).exists()
    paid = Withdrawal.objects.filter(status=WithdrawalStatus.PAID, completed_at__gte=lo)
    # SQLite adds decimals as floats: compare to the paisa.
    cents = Decimal("0.01")
    rolled = PayoutDay.objects.aggregate(total=Sum("amount"))["total"]
    assert rolled.quantize(cents) == paid.aggregate(total=Sum("amount"))["total"].quantize(cents)
