"""The dashboard's cards: the live counts behind the queues (one query each), and every card
line's link opening the admin list that holds exactly the rows it counts."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from brands import selectors as brands_selectors
from brands.models import BrandStatus, DeliveryStatus, WebhookDelivery
from brands.tests.factories import BrandFactory
from brands.webhooks.tests.factories import WebhookFactory
from catalog import selectors as catalog_selectors
from catalog.tests.factories import VariantFactory, stock
from commerce import selectors as commerce_selectors
from commerce.models import Order, WebhookEvent
from commerce.tests.factories import cart_with, pay, place, wallet_credit
from coupzii.core import rollups
from coupzii.core.money import format_inr
from coupzii.dashboard import cards, figures
from marketplace import selectors as marketplace_selectors
from marketplace.disputes.tests.conftest import paid_purchase
from marketplace.models import Dispute, DisputeStatus
from offers.models import Click
from offers.tests.factories import ClickFactory, OfferFactory
from wallet import selectors as wallet_selectors
from wallet.models import Account, CashbackEvent
from wallet.services.cashback import cashback_decline, cashback_report
from wallet.services.withdrawals import withdrawal_approve
from wallet.tests.factories import confirmed_cashback, sale_for
from wallet.tests.test_admin import requested_withdrawal, submitted_kyc

from .rollup_rows import rollup_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def one_query(read):
    with CaptureQueriesContext(connection) as queries:
        value = read()
    assert len(queries) == 1, [q["sql"] for q in queries]
    return value


def listed(client, url: str) -> int:
    """How many rows the admin list at `url` shows (failing on a filter it refused)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert "e=1" not in response.get("Location", ""), url
    return response.context["cl"].result_count


def shown(client, url: str) -> set:
    """The ids of the rows the admin list at `url` shows (a page holds all of them here)."""
    listed(client, url)
    return {row.pk for row in client.get(url).context["cl"].result_list}


def card_lines(today) -> dict[str, cards.Line]:
    start, end = today - timedelta(days=29), today
    built = cards.dashboard_cards(
        today=today,
        start=start,
        end=end,
        range_figures=figures.range_figures(start=start, end=end),
    )
    return {f"{card.key}:{line.label}": line for card in built for line in card.lines}


# --- The counts ---------------------------------------------------------------------------------


def test_denominations_low_on_codes_count_sellable_codes_of_live_cards_only():
    empty = VariantFactory()
    stock(VariantFactory(), 3)
    stock(VariantFactory(), 10)  # not below 10
    stock(VariantFactory(is_active=False), 1)  # not sold: left out
    soon = timezone.localdate() + timedelta(days=1)
    stock(VariantFactory(), 12, expires_on=soon)  # about to expire: not sellable, so low
    assert empty.pk

    low = one_query(lambda: catalog_selectors.variants_low_on_codes(below=10))

    assert low == 3
    assert catalog_selectors.variants_low_on_codes(below=4) == 3
    assert catalog_selectors.variants_low_on_codes(below=1) == 2


def test_queue_counts_are_one_query_each():
    submitted_kyc()
    submitted_kyc()
    BrandFactory(status=BrandStatus.PENDING)
    BrandFactory(status=BrandStatus.VERIFIED)
    webhook = WebhookFactory()
    for n, status in enumerate([DeliveryStatus.FAILED, DeliveryStatus.RETRYING]):
        WebhookDelivery.objects.create(
            webhook=webhook,
            event_id=f"00000000-0000-0000-0000-00000000000{n}",
            event="x",
            payload={},
            status=status,
        )
    WebhookEvent.objects.create(provider="razorpay", event_id="a", event_type="x", payload={})
    WebhookEvent.objects.create(
        provider="razorpay",
        event_id="b",
        event_type="x",
        payload={},
        processed_at=timezone.now(),
        result="ok",
    )

    assert one_query(wallet_selectors.kyc_waiting) == 2
    assert one_query(brands_selectors.brands_waiting_verification) == 1
    assert one_query(brands_selectors.webhook_deliveries_failed) == 1
    assert one_query(commerce_selectors.webhook_events_refused) == 1
    assert one_query(marketplace_selectors.disputes_waiting) == {"open": 0, "answered": 0}


def test_disputes_waiting_counts_open_and_answered_apart():
    buyer = UserFactory()
    wallet_credit(buyer, "1000.00")
    due = timezone.now() + timedelta(hours=24)
    for status in (
        DisputeStatus.OPEN,
        DisputeStatus.ANSWERED,
        DisputeStatus.ANSWERED,
        DisputeStatus.REFUNDED,
    ):
        Dispute.objects.create(
            purchase=paid_purchase(buyer, price="50.00"), status=status, note="no", answer_due=due
        )

    assert marketplace_selectors.disputes_waiting() == {"open": 1, "answered": 2}


def test_the_low_stock_threshold_is_a_setting(settings):
    stock(VariantFactory(), 15)
    settings.DASHBOARD_LOW_STOCK_CODES = 20

    lines = card_lines(timezone.localdate())

    line = lines["problems:Denominations with fewer than 20 codes"]
    assert line.value == "1"


# --- The links ----------------------------------------------------------------------------------


def test_queue_lines_link_to_the_rows_they_count(operator_client):
    # given: two withdrawals requested, one of them approved, one KYC submitted (besides the
    # two withdrawers' verified ones), a brand waiting, a failed delivery, a refused webhook
    operator = User.objects.get(email="ops@coupzii.in")
    requested_withdrawal()
    withdrawal_approve(withdrawal=requested_withdrawal(), operator=operator)
    submitted_kyc()
    BrandFactory(status=BrandStatus.PENDING)
    WebhookDelivery.objects.create(
        webhook=WebhookFactory(),
        event_id="00000000-0000-0000-0000-000000000001",
        event="x",
        payload={},
        status=DeliveryStatus.FAILED,
    )
    WebhookEvent.objects.create(provider="razorpay", event_id="bad", event_type="x", payload={})
    stock(VariantFactory(), 2)

    # when
    lines = card_lines(timezone.localdate())

    # then: each figure, and its link lists the same number of rows
    expected = {
        "queues:Withdrawals to approve": 1,
        "queues:Withdrawals to pay out": 1,
        "queues:KYC to review": 1,
        "queues:Disputes to decide": 0,
        "queues:Brands to verify": 1,
        "problems:Payment webhooks not applied": 1,
        "problems:Brand webhook deliveries given up": 1,
        "problems:Denominations with fewer than 10 codes": 1,
    }
    for key, count in expected.items():
        assert lines[key].value == str(count), key
        assert listed(operator_client, lines[key].url) == count, key


@pytest.mark.parametrize("low", [10, 3])
def test_the_low_stock_link_lists_the_denominations_it_counts(operator_client, settings, low):
    # given: on sale with 0, 2, 5 and 30 codes, 12 about to expire (not sellable), and low
    # ones not on sale (the denomination or its gift card switched off)
    settings.DASHBOARD_LOW_STOCK_CODES = low
    empty, two, five, full, expiring = (VariantFactory() for _ in range(5))
    stock(two, 2)
    stock(five, 5)
    stock(full, 30)
    stock(expiring, 12, expires_on=timezone.localdate() + timedelta(days=1))
    stock(VariantFactory(is_active=False), 1)
    stock(VariantFactory(product__is_active=False), 1)

    line = card_lines(timezone.localdate())[f"problems:Denominations with fewer than {low} codes"]
    response = operator_client.get(line.url)

    shown = [variant.pk for variant in response.context["cl"].result_list]
    expected = [empty.pk, expiring.pk, two.pk] + ([five.pk] if low == 10 else [])
    assert sorted(shown) == sorted(expected)
    assert line.value == str(len(expected))
    assert listed(operator_client, line.url) == len(expected)


def test_order_shopper_and_click_lines_link_to_their_rows(operator_client):
    # given: a paid order and a failed-to-pay one placed today, two shoppers joined today (and
    # the operator, who is staff), three clicks today and one 40 days ago
    today = timezone.localdate()
    variant = VariantFactory(price=Decimal("490.00"))
    stock(variant, 5)
    shopper = UserFactory()
    paid_order = place(shopper, cart_with(shopper, (variant, 1)), key="paid")
    pay(paid_order)
    other = UserFactory()
    place(other, cart_with(other, (variant, 1)), key="unpaid")
    offer = OfferFactory()
    now = timezone.now()
    for created_at in (now, now, now, now - timedelta(days=40)):
        Click.objects.create(offer=offer, merchant=offer.merchant, created_at=created_at)

    lines = card_lines(today)

    assert listed(operator_client, lines["orders:Today"].url) == 1
    assert listed(operator_client, lines["revenue:Last 30 days"].url) == 1
    assert listed(operator_client, lines["shoppers:Today"].url) == 2
    assert listed(operator_client, lines["clicks:Last 30 days"].url) == 3
    paid_status = paid_order.__class__.objects.get(pk=paid_order.pk).get_status_display()
    assert listed(operator_client, lines[f"orders-by-status:{paid_status}"].url) == 1
    assert listed(operator_client, lines["orders-by-status:Awaiting payment"].url) == 1


def test_revenue_lines_list_the_orders_paid_in_the_period_and_orders_lines_those_placed(
    operator_client,
):
    # given: an order placed 3 days ago and paid today, one placed and paid today, one placed
    # and paid 40 days ago, and one placed today and never paid; the rollups rolled from them
    today = timezone.localdate()
    now = timezone.now()
    variant = VariantFactory(price=Decimal("490.00"))
    stock(variant, 5)
    orders = {}
    for key in ("late", "today", "old", "unpaid"):
        shopper = UserFactory()
        orders[key] = place(shopper, cart_with(shopper, (variant, 1)), key=key)
        if key != "unpaid":
            pay(orders[key])
    Order.objects.filter(pk=orders["late"].pk).update(created_at=now - timedelta(days=3))
    long_ago = now - timedelta(days=40)
    Order.objects.filter(pk=orders["old"].pk).update(created_at=long_ago, paid_at=long_ago)
    rollups.roll_range(start=today - timedelta(days=45), end=today)

    # when
    lines = card_lines(today)

    # then: revenue counts by the day paid, paid orders by the day placed; each link lists
    # exactly the orders behind its figure
    paid_today = orders["late"].total + orders["today"].total
    assert lines["revenue:Today"].value == format_inr(paid_today)
    assert shown(operator_client, lines["revenue:Today"].url) == {
        orders["late"].pk,
        orders["today"].pk,
    }
    assert shown(operator_client, lines["revenue:Last 30 days"].url) == {
        orders["late"].pk,
        orders["today"].pk,
    }
    assert lines["orders:Today"].value == "1"
    assert shown(operator_client, lines["orders:Today"].url) == {orders["today"].pk}
    assert lines["orders:Last 7 days"].value == "2"
    assert listed(operator_client, lines["orders:Last 7 days"].url) == 2


def test_cashback_lines_list_the_events_and_balances_their_figures_count(operator_client):
    # given: a matched pending sale and an unmatched one; sales confirmed today, confirmed and
    # then declined, and confirmed 40 days ago; the rollups rolled from them
    today = timezone.localdate()
    operator = User.objects.get(email="ops@coupzii.in")
    shopper = UserFactory()
    pending = cashback_report(sale=sale_for(ClickFactory(user=shopper)))
    orphan = cashback_report(sale=sale_for(ClickFactory.build(id=uuid.uuid4())))
    assert orphan.user_id is None
    confirmed = confirmed_cashback(shopper, "30.00")
    reversed_ = cashback_decline(event=confirmed_cashback(shopper, "20.00"), actor=operator)
    old = confirmed_cashback(UserFactory(), "70.00")
    CashbackEvent.objects.filter(pk=old.pk).update(confirmed_at=timezone.now() - timedelta(days=40))
    rollups.roll_range(start=today - timedelta(days=45), end=today)

    # when
    lines = card_lines(today)

    # then: pending is the shoppers' (matched) pending cashback, confirmed counts the sale
    # declined since; each link lists the rows whose amounts make the figure
    pending_line = lines["cashback:Pending"]
    pending_accounts = Account.objects.filter(pk__in=shown(operator_client, pending_line.url))
    assert {account.user_id for account in pending_accounts if account.balance} == {shopper.pk}
    assert pending_line.value == format_inr(pending.cashback)
    assert pending_line.value == format_inr(sum(account.balance for account in pending_accounts))
    month = lines["cashback:Confirmed, last 30 days"]
    assert shown(operator_client, month.url) == {confirmed.pk, reversed_.pk}
    assert month.value == format_inr(confirmed.cashback + reversed_.cashback)
    for key in ("Payable (shoppers' available balance)", "Held for withdrawals"):
        line = lines[f"cashback:{key}"]
        accounts = Account.objects.filter(pk__in=shown(operator_client, line.url))
        assert line.value == format_inr(sum(account.balance for account in accounts)), key
    # 30 confirmed today and 70 long ago; the declined 20 was clawed back
    assert lines["cashback:Payable (shoppers' available balance)"].value == "₹100.00"


def test_figure_cards_show_the_rollups_for_today_7_and_30_days():
    today = timezone.localdate()
    rollup_history(today)

    lines = card_lines(today)

    # Paid, delivered and refunded orders count; failed ones don't; 100 days ago is outside.
    assert [lines[f"orders:{p}"].value for p in ("Today", "Last 7 days", "Last 30 days")] == [
        "4",
        "9",
        "15",
    ]
    assert [lines[f"revenue:{p}"].value for p in ("Today", "Last 7 days", "Last 30 days")] == [
        "₹740.50",
        "₹1,971.00",
        "₹3,691.50",
    ]
    assert [lines[f"clicks:{p}"].value for p in ("Today", "Last 7 days", "Last 30 days")] == [
        "47",
        "134",
        "261",
    ]
    assert lines["cashback:Confirmed, last 30 days"].value == "₹120.00"
    assert lines["orders-by-status:Payment failed"].value == "15"
    assert lines["orders-by-status:Refunded"].value == "3"
