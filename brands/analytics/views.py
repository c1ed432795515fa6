"""The brand's dashboard (/brand/<slug>/) and analytics pages: figures from the daily rollups
(refreshed every ten minutes for today), charts drawn by static/js/brand_charts.js from data
in json_script, each with a table that works without JavaScript."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from coupzii.core.money import format_inr
from coupzii.core.pagination import paginate

from .. import access
from ..portal import brand_page
from . import selectors
from .export import CONTENT_TYPE, analytics_workbook, export_filename
from .forms import DateRangeForm

DEFAULT_PERIOD = 30
ACTIVITY = ("views", "clicks", "claims", "redemptions")
MONEY = ("revenue", "discount")
TABLE_PAGE_SIZE = 25

TABS = [
    ("day", _("By day")),
    ("offer", _("By offer")),
    ("book", _("By book")),
    ("product", _("By product")),
    ("department", _("By department")),
]


@require_safe
@brand_page(access.VIEW_DASHBOARD)
def dashboard(request):
    period = _period(request.GET.get("period"))
    start, end = selectors.period_for(period)
    scope = {"membership": request.membership, "start": start, "end": end}
    days = selectors.analytics_by_day(**scope)
    labels = _day_labels(days)
    best, worst = selectors.best_and_worst_offers(**scope)
    context = {
        "periods": selectors.PERIODS,
        "period": period,
        "start": start,
        "end": end,
        "today": selectors.analytics_totals(membership=request.membership, start=end, end=end),
        "totals": _sum_days(days),
        "days": days,
        "best": best,
        "worst": worst,
        "activity_chart": _day_chart(labels, days, ACTIVITY),
        "money_chart": _day_chart(labels, days, MONEY),
        "can_analytics": access.can(request.membership, access.VIEW_ANALYTICS),
    }
    return render(request, "brands/analytics/dashboard.html", context)


@require_safe
@brand_page(access.VIEW_ANALYTICS)
def analytics(request):
    form = DateRangeForm(request.GET)
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "day"
    context = {"form": form, "tabs": TABS, "tab": tab}
    if not form.is_valid():
        return render(request, "brands/analytics/analytics.html", context, status=200)
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    scope = {"membership": request.membership, "start": start, "end": end}
    days = selectors.analytics_by_day(**scope)
    rows = days if tab == "day" else _BREAKDOWNS[tab](**scope)
    page, page_range = paginate(request, rows, per_page=TABLE_PAGE_SIZE if tab != "day" else 400)
    labels = _day_labels(days)
    # A year is 366 rows: the day table's cells are formatted here, once, and the two day
    # charts' table is that one (on the "by day" tab) rather than two more copies of it.
    table_link = f"?start_date={start.isoformat()}&end_date={end.isoformat()}&tab=day#cz-table"
    context.update(
        start=start,
        end=end,
        totals=_sum_days(days),
        page=page,
        page_range=page_range,
        rows=page.object_list,
        day_rows=_day_rows(labels, days) if tab == "day" else None,
        table_link=table_link,
        activity_chart=_day_chart(labels, days, ACTIVITY, table=False),
        money_chart=_day_chart(labels, days, MONEY, table=False),
        breakdown_chart=_breakdown_chart(tab, rows[:10]) if tab != "day" else None,
        can_export=access.can(request.membership, access.EXPORT),
    )
    return render(request, "brands/analytics/analytics.html", context)


@require_safe
@brand_page(access.EXPORT)
def analytics_export(request):
    """The range's workbook; a bad range goes back to the page, which shows the errors."""
    form = DateRangeForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "brands/analytics/analytics.html",
            {"form": form, "tabs": TABS, "tab": "day"},
            status=400,
        )
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    body = analytics_workbook(membership=request.membership, start=start, end=end)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    name = export_filename(membership=request.membership, start=start, end=end)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


_BREAKDOWNS = {
    "offer": selectors.analytics_by_offer,
    "book": selectors.analytics_by_book,
    "product": selectors.analytics_by_product,
    "department": selectors.analytics_by_department,
}


def _period(raw: str | None) -> int:
    try:
        days = int(raw or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in selectors.PERIODS else DEFAULT_PERIOD


def _sum_days(days: list[dict]) -> dict:
    """The range's totals from its days (the same rows the table shows), with conversions."""
    totals = selectors.Figures()
    for day in days:
        for name in selectors.FIGURES:
            setattr(totals, name, getattr(totals, name) + day[name])
    return totals.as_dict()


_LABELS = {
    "views": _("Views"),
    "clicks": _("Clicks"),
    "claims": _("Claims"),
    "redemptions": _("Redemptions"),
    "revenue": _("Revenue (₹)"),
    "discount": _("Discount given (₹)"),
}


def _day_labels(days: list[dict]) -> list[str]:
    return [formats.date_format(day["date"], "SHORT_DATE_FORMAT") for day in days]


def _day_chart(labels: list[str], days: list[dict], figures: tuple[str, ...], *, table=True):
    """A line chart of the range, one line per figure: `config` for Chart.js (json_script),
    `columns` and `rows` for the table that stands in for it without JavaScript (None: the
    page links to its by-day table instead)."""
    return {
        "config": {
            "type": "line",
            "labels": labels,
            "datasets": [
                {"label": _legend(name), "data": [str(day[name]) for day in days]}
                for name in figures
            ],
            # Views on their own axis (see static/js/brand_charts.js).
            "secondary": [index for index, name in enumerate(figures) if name == "views"],
        },
        "columns": [_("Date"), *(_LABELS[name] for name in figures)],
        "rows": [
            [label, *(_display(name, day[name]) for name in figures)]
            for label, day in zip(labels, days, strict=True)
        ]
        if table
        else None,
    }


def _legend(name: str) -> str:
    if name == "views":
        return str(_("Views (right-hand axis)"))
    return str(_LABELS[name])


def _day_rows(labels: list[str], days: list[dict]) -> list[dict]:
    """The by-day table's cells, formatted."""
    return [
        {
            "label": label,
            **{name: _display(name, day[name]) for name in selectors.FIGURES},
            "redemption_rate": _rate(day["redemption_rate"]),
            "claim_rate": _rate(day["claim_rate"]),
        }
        for label, day in zip(labels, days, strict=True)
    ]


def _rate(value) -> str:
    return "\u2013" if value is None else f"{value}%"  # an en dash: no rate


def _breakdown_chart(tab: str, rows: list[dict]) -> dict:
    """A bar chart of the breakdown's top ten by redemptions."""
    label_key = {"offer": "title", "book": "name", "product": "name", "department": "name"}[tab]
    labels = [str(row[label_key])[:40] for row in rows]
    return {
        "config": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {"label": str(_LABELS["redemptions"]), "data": [row["redemptions"] for row in rows]}
            ],
        },
        "columns": [_("Name"), _LABELS["redemptions"]],
        "rows": [[label, row["redemptions"]] for label, row in zip(labels, rows, strict=True)],
    }


def _display(name: str, value) -> str:
    if name in selectors.MONEY_FIGURES:
        return format_inr(value)
    # A count, grouped the Indian way like the amounts (1,23,456).
    return format_inr(value, symbol=False)[:-3]


__all__ = ["analytics", "analytics_export", "dashboard"]
