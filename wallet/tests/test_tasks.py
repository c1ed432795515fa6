"""The wallet's beat tasks: the nightly ledger check alerts operators; late click matching."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet import leaderboard, ledger, tasks
from wallet.models import Account, AccountKind
from wallet.services.cashback import cashback_report
from wallet.tests.factories import confirmed_cashback, operator, sale_for

pytestmark = pytest.mark.django_db


def test_the_nightly_check_is_quiet_when_the_ledger_is_sound():
    confirmed_cashback(UserFactory(), "40.00")
    staff = operator()
    assert tasks.reconcile_ledger() == []
    assert not Notification.objects.filter(user=staff, kind="operations").exists()


def test_the_nightly_check_alerts_every_operator_naming_the_mismatch(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    confirmed_cashback(user, "40.00")
    staff, other_staff, shopper = operator(), operator(), UserFactory()
    Account.objects.filter(user=user, kind=AccountKind.AVAILABLE).update(balance=D("45.00"))

    with django_capture_on_commit_callbacks(execute=True):
        problems = tasks.reconcile_ledger()

    assert any("caches 45.00 but its postings sum to 40.00" in p for p in problems)
    alerted = Notification.objects.filter(kind="operations")
    assert set(alerted.values_list("user", flat=True)) == {staff.pk, other_staff.pk}
    assert "caches 45.00" in alerted.first().body
    assert not Notification.objects.filter(user=shopper, kind="operations").exists()
    assert {m.to[0] for m in mailoutbox if "Ledger check failed" in m.subject} == {
        staff.email,
        other_staff.email,
    }


def test_the_matching_task_credits_sales_whose_click_arrived_late():
    user = UserFactory()
    click = ClickFactory.build(user=user)
    sale = sale_for(click)
    cashback_report(sale=sale)
    click.offer.merchant.save()
    click.offer.save()
    click.save()

    assert tasks.match_unmatched_cashback() == 1
    assert ledger.balances(user)[AccountKind.PENDING] == D("50.00")


def test_the_nightly_rebuild_refills_a_leaderboard_redis_lost(django_capture_on_commit_callbacks):
    referrer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(UserFactory(referred_by=referrer), "20.00")
    month = timezone.localdate().strftime("%Y-%m")
    cache.clear()  # Redis restarted: the board is gone

    assert tasks.rebuild_leaderboard() == 1
    assert leaderboard.top(month=month) == [(referrer.pk, D("100.00"))]
