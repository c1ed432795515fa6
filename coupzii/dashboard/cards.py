"""The dashboard's cards: the day's and month's figures, and the queues waiting for an operator,
each line a link to the admin list that holds the rows behind it (filtered the same way).

Figures come from the rollups (coupzii.dashboard.figures); the queues are live counts, one
query each, from the apps' selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brands import selectors as brands_selectors
from catalog import selectors as catalog_selectors
from commerce import selectors as commerce_selectors
from commerce.models import OrderStatus
from commerce.rollups import PAID_STATUSES
from coupzii.core.money import format_inr
from marketplace import selectors as marketplace_selectors
from wallet import selectors as wallet_selectors

from . import figures

# A denomination with fewer sellable codes than this is "running low" on the dashboard.
DEFAULT_LOW_STOCK_CODES = 10

# As the order admin colours them: paid and not delivered waits for an operator.
STATUS_TONES = {
    OrderStatus.PENDING_PAYMENT: "info",
    OrderStatus.PAID: "wait",
    OrderStatus.FULFILLED: "ok",
    OrderStatus.CANCELLED: "off",
    OrderStatus.FAILED: "bad",
    OrderStatus.REFUNDED: "off",
}


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    url: str
    # A TONES name (wait, info, ok, bad, off) for a coloured dot beside the value ("" for none):
    # a class, because the admin's Content-Security-Policy refuses inline styles.
    tone: str = ""


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    lines: list[Line]
    note: str = ""


def low_stock_codes() -> int:
    return getattr(settings, "DASHBOARD_LOW_STOCK_CODES", DEFAULT_LOW_STOCK_CODES)


# --- Links to the admin's lists ---------------------------------------------------------------


def _midnight(day: date) -> str:
    """The first instant of `day` in settings.TIME_ZONE, as the admin's date filters write it."""
    zone = timezone.get_default_timezone()
    return str(datetime.combine(day, time.min, tzinfo=zone))


def changelist(model: str, **filters) -> str:
    """The admin list of `model` ("app_model"), filtered by the admin's own query string."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _between(field: str, start: date, end: date) -> dict[str, str]:
    """Filters for rows of `field` from the start of `start` to the end of `end`."""
    return {f"{field}__gte": _midnight(start), f"{field}__lt": _midnight(end + timedelta(days=1))}


def paid_orders_url(start: date, end: date) -> str:
    """Orders placed in [start, end] that were paid (the paid-orders figure, by created_at)."""
    statuses = ",".join(status.value for status in PAID_STATUSES)
    return changelist("commerce_order", status__in=statuses, **_between("created_at", start, end))


def sales_url(start: date, end: date) -> str:
    """Orders paid in [start, end], whatever happened after (the revenue figure, by paid_at)."""
    return changelist("commerce_order", **_between("paid_at", start, end))


# --- The cards ----------------------------------------------------------------------------------


def periods(today: date) -> list[tuple[str, str, date]]:
    """(key of figures.period_totals, label, first day) for today, 7 and 30 days."""
    return [
        ("today", _("Today"), today),
        ("7d", _("Last 7 days"), today - timedelta(days=6)),
        ("30d", _("Last 30 days"), today - timedelta(days=29)),
    ]


def _count(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _queue_tone(count: int, tone: str = "wait") -> str:
    return tone if count else "ok"


def dashboard_cards(*, today: date, start: date, end: date, range_figures) -> list[Card]:
    """Every card, for `today` and the chosen range (whose figures the page already read)."""
    totals = figures.period_totals(today=today)
    spans = periods(today)
    return [
        _money_card(totals, spans, today),
        _orders_card(totals, spans, today),
        _status_card(range_figures, start, end),
        _shoppers_card(totals, spans, today),
        _clicks_card(totals, spans, today),
        _cashback_card(totals, spans, today),
        _queues_card(),
        _problems_card(),
    ]


def _money_card(totals, spans, today) -> Card:
    lines = [
        Line(label, format_inr(totals[key].revenue), sales_url(first, today))
        for key, label, first in spans
    ]
    return Card("revenue", _("Gift-card revenue"), lines, _("Paid orders, before refunds."))


def _orders_card(totals, spans, today) -> Card:
    lines = [
        Line(label, _count(totals[key].orders), paid_orders_url(first, today))
        for key, label, first in spans
    ]
    return Card("orders", _("Paid orders"), lines)


def _status_card(range_figures, start: date, end: date) -> Card:
    lines = [
        Line(
            label,
            _count(orders),
            changelist(
                "commerce_order", status__exact=status, **_between("created_at", start, end)
            ),
            STATUS_TONES.get(status, "off"),
        )
        for status, label, orders in range_figures.orders_by_status
    ]
    return Card("orders-by-status", _("Orders by status"), lines, _("Placed in the chosen dates."))


def _shoppers_card(totals, spans, today) -> Card:
    lines = [
        Line(
            label,
            _count(totals[key].new_shoppers),
            changelist(
                "accounts_user", is_staff__exact="0", **_between("date_joined", first, today)
            ),
        )
        for key, label, first in spans
    ]
    return Card("shoppers", _("New shoppers"), lines)


def _clicks_card(totals, spans, today) -> Card:
    lines = [
        Line(
            label,
            _count(totals[key].clicks),
            changelist("offers_click", **_between("created_at", first, today)),
        )
        for key, label, first in spans
    ]
    return Card("clicks", _("Clicks to stores"), lines)


def _cashback_card(totals, spans, today) -> Card:
    balances = figures.cashback_balances()
    zero = Decimal("0.00")
    month = next(first for key, _label, first in spans if key == "30d")
    return Card(
        "cashback",
        _("Shoppers' cashback"),
        [
            Line(
                _("Pending"),
                format_inr(balances.get("pending", zero)),
                # The shoppers' pending balances are the figure: the link lists those accounts
                # (they hold the matched events' cashback, less any reversed since).
                changelist("wallet_account", owner="user", kind="pending"),
                "wait",
            ),
            Line(
                _("Confirmed, last 30 days"),
                format_inr(totals["30d"].cashback_confirmed),
                # Confirmed in the 30 days, declined since or not (the figure counts both).
                changelist(
                    "wallet_cashbackevent",
                    **_between("confirmed_at", month, today),
                ),
                "ok",
            ),
            Line(
                _("Payable (shoppers' available balance)"),
                format_inr(balances.get("payable", zero)),
                changelist("wallet_account", owner="user", kind="available"),
                "info",
            ),
            Line(
                _("Held for withdrawals"),
                format_inr(balances.get("held", zero)),
                changelist("wallet_account", owner="user", kind="held"),
                "off",
            ),
        ],
    )


def _queues_card() -> Card:
    withdrawals = wallet_selectors.withdrawals_waiting()
    disputes = marketplace_selectors.disputes_waiting()
    rows = [
        (_("Withdrawals to approve"), withdrawals["requested"], "wallet_withdrawal", "requested"),
        (_("Withdrawals to pay out"), withdrawals["approved"], "wallet_withdrawal", "approved"),
        (_("KYC to review"), wallet_selectors.kyc_waiting(), "wallet_kycprofile", "submitted"),
        (_("Disputes to decide"), disputes["answered"], "marketplace_dispute", "answered"),
        (_("Disputes waiting for the seller"), disputes["open"], "marketplace_dispute", "open"),
        (
            _("Brands to verify"),
            brands_selectors.brands_waiting_verification(),
            "brands_brand",
            "pending",
        ),
    ]
    lines = [
        Line(label, _count(count), changelist(model, status__exact=status), _queue_tone(count))
        for label, count, model, status in rows
    ]
    return Card("queues", _("Waiting for an operator"), lines)


def _problems_card() -> Card:
    low = low_stock_codes()
    low_count = catalog_selectors.variants_low_on_codes(below=low)
    refused = commerce_selectors.webhook_events_refused()
    failed = brands_selectors.webhook_deliveries_failed()
    lines = [
        Line(
            _("Denominations with fewer than %(n)s codes") % {"n": low},
            _count(low_count),
            # The denominations on sale with fewer than `low` codes (out of stock included): the
            # admin filters read the same setting, so the list holds exactly the rows counted.
            changelist("catalog_variant", stock="below", on_sale="yes"),
            _queue_tone(low_count, "bad"),
        ),
        Line(
            _("Payment webhooks not applied"),
            _count(refused),
            changelist("commerce_webhookevent", processed="no"),
            _queue_tone(refused, "bad"),
        ),
        Line(
            _("Brand webhook deliveries given up"),
            _count(failed),
            changelist("brands_webhookdelivery", status__exact="failed"),
            _queue_tone(failed, "bad"),
        ),
    ]
    return Card("problems", _("Needs a look"), lines)
