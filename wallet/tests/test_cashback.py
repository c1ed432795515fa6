"""Cashback from report to confirmation, decline, reversal and debt; rate rules; matching."""

from decimal import Decimal as D

import pytest

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.models import AccountKind, CashbackDebt, CashbackEvent, CashbackStatus, Transaction
from wallet.networks.base import SaleStatus
from wallet.services.cashback import (
    cashback_amount,
    cashback_ingest,
    cashback_match_unmatched,
    cashback_report,
)
from wallet.tests.factories import confirmed_cashback, sale_for, with_status

pytestmark = pytest.mark.django_db
AVAILABLE, PENDING = AccountKind.AVAILABLE, AccountKind.PENDING


def test_a_reported_sale_credits_pending_cashback_at_the_merchants_rate():
    user = UserFactory()
    click = ClickFactory(user=user)  # merchant pays 5%
    event = cashback_report(sale=sale_for(click, sale_amount="2000.00", commission="160.00"))
    assert event.cashback == D("100.00")
    assert event.status == CashbackStatus.PENDING
    assert ledger.balances(user)[PENDING] == D("100.00")
    assert event.expected_confirmation == (
        event.occurred_at.date()
        + (__import__("datetime").timedelta(days=click.merchant.confirmation_days))
    )
    assert Notification.objects.filter(user=user, kind="cashback_pending").count() == 1


def test_cashback_is_capped_at_the_share_of_commission_passed_on():
    click = ClickFactory(user=UserFactory())  # 5% of 10,000 would be 500
    assert cashback_amount(click=click, sale_amount=D("10000"), commission=D("300")) == D("240.00")
    flat = ClickFactory(
        user=UserFactory(), offer__cashback_kind="flat", offer__cashback_value=D("75")
    )
    assert cashback_amount(click=flat, sale_amount=D("10000"), commission=D("300")) == D("75.00")


def test_confirmation_moves_pending_to_available_and_replays_change_nothing():
    user = UserFactory()
    sale = sale_for(ClickFactory(user=user))
    cashback_report(sale=sale)
    for _ in range(3):
        cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
        cashback_report(sale=sale)  # an older pending report arriving late
    assert ledger.balances(user) == {AVAILABLE: D("50.00"), PENDING: D("0.00"), "held": D("0.00")}
    assert Transaction.objects.filter(kind="cashback_confirmed").count() == 1
    assert ledger.ledger_problems() == []


def test_a_decline_reverses_the_pending_credit():
    user = UserFactory()
    sale = sale_for(ClickFactory(user=user))
    cashback_report(sale=sale)
    event = cashback_report(sale=with_status(sale, SaleStatus.DECLINED))
    assert event.status == CashbackStatus.DECLINED
    assert ledger.balances(user)[PENDING] == D("0.00")
    # a late confirmation of a declined sale is ignored: status only moves forward
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
    assert ledger.balances(user)[AVAILABLE] == D("0.00")


def test_a_reversal_claws_back_available_and_records_the_shortfall_as_debt():
    user = UserFactory()
    event = confirmed_cashback(user, "100.00")
    # the shopper moved 70 out of available (a withdrawal hold, say)
    accounts = ledger.user_accounts(user)
    ledger.transaction_post(
        kind="withdrawal_hold",
        idempotency_key="w",
        reference_type="t",
        reference_id="1",
        legs=[(accounts[AVAILABLE], D("-70")), (accounts["held"], D("70"))],
    )
    sale = sale_for(event.click, transaction_id=event.network_txn_id)
    reversed_event = cashback_report(sale=with_status(sale, SaleStatus.DECLINED))
    assert reversed_event.reversed_at is not None
    assert ledger.balances(user)[AVAILABLE] == D("0.00")
    debt = CashbackDebt.objects.get(user=user)
    assert debt.outstanding == D("70.00")
    # then: the next confirmed cashback pays the debt first
    confirmed_cashback(user, "50.00")
    debt.refresh_from_db()
    assert debt.outstanding == D("20.00")
    assert ledger.balances(user)[AVAILABLE] == D("0.00")
    confirmed_cashback(user, "50.00")
    assert ledger.balances(user)[AVAILABLE] == D("30.00")
    assert ledger.ledger_problems() == []


def test_a_sale_reported_before_its_click_is_written_is_matched_later():
    user = UserFactory()
    click = ClickFactory.build(user=user)  # not saved yet: still in the click buffer
    sale = sale_for(click)
    event = cashback_report(sale=sale)
    assert event.user is None and ledger.balances(user)[PENDING] == D("0.00")
    click.offer.merchant.save()
    click.offer.save()
    click.save()
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
    assert cashback_match_unmatched() == 1
    assert ledger.balances(user)[AVAILABLE] == D("50.00")
    assert ledger.ledger_problems() == []


def test_ingest_writes_a_page_of_new_sales_in_bulk_and_counts_what_happened():
    users = [UserFactory() for _ in range(3)]
    sales = [sale_for(ClickFactory(user=u)) for u in users for _ in range(2)]
    first = cashback_ingest(sales=sales)
    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    again = cashback_ingest(sales=[with_status(sales[0], SaleStatus.CONFIRMED), *sales[1:]])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 5)
    assert ledger.balances(users[0])[AVAILABLE] == D("50.00")
    assert CashbackEvent.objects.count() == 6
    # one notice per shopper for the page, not one per sale
    assert Notification.objects.filter(kind="cashback_pending").count() == 3
    assert ledger.ledger_problems() == []


def test_a_decline_and_a_reversal_are_each_sent_as_what_they_are():
    # given: one sale declined while pending, another confirmed and then reversed
    user = UserFactory()
    declined_click, reversed_click = ClickFactory(user=user), ClickFactory(user=user)
    declined = sale_for(declined_click)
    cashback_report(sale=declined)
    reversed_sale = sale_for(reversed_click)
    cashback_report(sale=with_status(reversed_sale, SaleStatus.CONFIRMED))

    # when
    cashback_report(sale=with_status(declined, SaleStatus.DECLINED))
    cashback_report(sale=with_status(reversed_sale, SaleStatus.DECLINED))

    # then: a decline is not news of pending cashback, and a reversal is not a confirmation
    notices = Notification.objects.filter(user=user)
    assert [n.title for n in notices.filter(kind="cashback_declined")] == [
        f"₹50.00 cashback from {declined_click.merchant.name} was declined"
    ]
    assert [n.title for n in notices.filter(kind="cashback_reversed")] == [
        f"₹50.00 cashback from {reversed_click.merchant.name} was reversed"
    ]
    assert notices.filter(kind="cashback_confirmed").count() == 1  # the confirmation itself
    assert notices.filter(kind="cashback_pending").count() == 2  # one per reported sale


def test_a_report_that_changes_nothing_leaves_the_event_as_it_was():
    user = UserFactory()
    sale = sale_for(ClickFactory(user=user))
    event = cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
    updated_at = event.updated_at

    for status in (SaleStatus.PENDING, SaleStatus.CONFIRMED):
        again = cashback_report(sale=with_status(sale, status))
        assert again.pk == event.pk and again.status == CashbackStatus.CONFIRMED
        assert again.updated_at == updated_at
    result = cashback_ingest(sales=[sale, with_status(sale, SaleStatus.CONFIRMED)])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Transaction.objects.count() == 2  # pending and confirmed, once each
    assert ledger.balances(user)[AVAILABLE] == D("50.00")


def test_a_page_of_confirmations_and_declines_moves_each_event_and_its_money():
    users = [UserFactory() for _ in range(3)]
    sales = [sale_for(ClickFactory(user=user)) for user in users for _ in range(2)]
    cashback_ingest(sales=sales)

    page = [with_status(sale, SaleStatus.CONFIRMED) for sale in sales[:4]]
    page += [with_status(sale, SaleStatus.DECLINED) for sale in sales[4:]]
    result = cashback_ingest(sales=page)

    assert (result.created, result.updated, result.unchanged) == (0, 6, 0)
    events = {e.network_txn_id: e for e in CashbackEvent.objects.all()}
    for sale in sales[:4]:
        event = events[sale.transaction_id]
        assert event.status == CashbackStatus.CONFIRMED and event.confirmed_at is not None
    for sale in sales[4:]:
        event = events[sale.transaction_id]
        assert event.status == CashbackStatus.DECLINED and event.declined_at is not None
        assert event.confirmed_at is None and event.reversed_at is None
    zero = D("0.00")
    assert [ledger.balances(user) for user in users] == [
        {AVAILABLE: D("100.00"), PENDING: zero, "held": zero},
        {AVAILABLE: D("100.00"), PENDING: zero, "held": zero},
        {AVAILABLE: zero, PENDING: zero, "held": zero},
    ]
    assert Notification.objects.filter(kind="cashback_confirmed").count() == 4
    assert Notification.objects.filter(kind="cashback_declined", user=users[2]).count() == 2
    assert ledger.ledger_problems() == []


def test_declined_and_reversed_notices_show_on_the_notifications_page_as_cashback(client):
    user = UserFactory()
    declined = sale_for(ClickFactory(user=user))
    cashback_report(sale=declined)
    cashback_report(sale=with_status(declined, SaleStatus.DECLINED))
    confirmed_cashback(user, "40.00")
    reversal = CashbackEvent.objects.get(user=user, status=CashbackStatus.CONFIRMED)
    cashback_report(
        sale=with_status(
            sale_for(reversal.click, transaction_id=reversal.network_txn_id), SaleStatus.DECLINED
        )
    )
    client.force_login(user)

    page = client.get("/notifications/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "cashback from" in html and "was declined" in html and "was reversed" in html
    icons = [n.icon for n in Notification.objects.filter(user=user)]
    assert icons and set(icons) == {"coin"}  # every cashback notice draws the cashback icon
