"""The dashboard's charts: for each, its title, its table's columns and rows (the figures of the
chosen range, typed: dates, Decimals, ints) and how static/js/admin_dashboard.js draws it.

The page's tables, the Chart.js data and the CSV and Excel exports all read the same rows, so
a download always holds what the chart showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils import formats, numberformat
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from coupzii.core.money import format_inr

from .figures import Figures

# What a column holds: how the table shows it and how a spreadsheet types it.
DATE, TEXT, COUNT, MONEY, PERCENT = "date", "text", "count", "money", "percent"

REPORTED, CONFIRMED, DECLINED = "reported", "confirmed", "declined"
NUMBER_CLASS = ' class="cz-num"'


@dataclass(frozen=True)
class Column:
    label: Promise
    kind: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: Promise
    columns: tuple[Column, ...]
    rows: Callable[[Figures], list[tuple]]
    # "line" (by day) or "bar" (horizontal bars, best first).
    kind: str
    # The columns drawn, as datasets (the first column labels the points).
    series: tuple[int, ...]
    # Datasets (by position among `series`) read on the right-hand axis: a count beside money.
    secondary: tuple[int, ...] = ()
    # A logarithmic value axis, for figures that differ a thousandfold (the funnel's steps).
    log: bool = False
    # Titles of the left and right value axes of a chart with two (`secondary`): each axis is
    # titled, and the page colours a title as the one line it measures, so no one reads clicks
    # against the views' scale.
    axis_titles: tuple[Promise, Promise] | None = None
    # One line under the chart, for what its figures mean and could be misread as.
    note: Promise | None = None


def _by_day(figures: Figures, *series: list) -> list[tuple]:
    return list(zip(figures.days, *series, strict=True))


def _cashback_rows(figures: Figures) -> list[tuple]:
    stages = figures.cashback_by_day
    zeros = [Decimal("0.00")] * len(figures.days)
    return _by_day(
        figures,
        stages.get(REPORTED, zeros),
        stages.get(CONFIRMED, zeros),
        stages.get(DECLINED, zeros),
        figures.payouts_by_day,
    )


# Money beside a funnel step: commission on the sales reported, cashback confirmed, paid out.
FUNNEL_MONEY = {
    "reported": "commission_reported",
    "confirmed": "cashback_confirmed",
    "paid_out": "paid_out",
}


def _funnel_share(count: int, before: int | None) -> Decimal | None:
    """The step's count as a share of the step before, or None (shown "—", an empty cell in the
    downloads). Each step counts what happened in the range, so a step can outnumber the one
    before it (sales confirmed now that were reported earlier): a share over 100% would read as
    a conversion, so it is left out. The first step, and a step after 0, have none either."""
    if not before or count > before:
        return None
    return (Decimal(count) * 100 / before).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _funnel_rows(figures: Figures) -> list[tuple]:
    rows, before = [], None
    for key, label, count in figures.funnel:
        share = _funnel_share(count, before)
        money_key = FUNNEL_MONEY.get(key)
        rows.append(
            (label, count, share, figures.funnel_money.get(money_key) if money_key else None)
        )
        before = count
    return rows


CHARTS: dict[str, Chart] = {
    chart.key: chart
    for chart in (
        Chart(
            key="revenue",
            title=_("Revenue and paid orders by day"),
            columns=(
                Column(_("Date"), DATE),
                Column(_("Revenue"), MONEY),
                Column(_("Paid orders"), COUNT),
            ),
            rows=lambda f: _by_day(f, f.revenue_by_day, f.orders_by_day),
            kind="line",
            series=(1, 2),
            secondary=(1,),
            axis_titles=(_("Revenue (₹)"), _("Paid orders")),
        ),
        Chart(
            key="orders-by-status",
            title=_("Orders placed, by status now"),
            columns=(Column(_("Status"), TEXT), Column(_("Orders"), COUNT)),
            rows=lambda f: [(label, orders) for _status, label, orders in f.orders_by_status],
            kind="bar",
            series=(1,),
        ),
        Chart(
            key="traffic",
            title=_("Offer views and clicks by day"),
            columns=(
                Column(_("Date"), DATE),
                Column(_("Views"), COUNT),
                Column(_("Clicks"), COUNT),
            ),
            rows=lambda f: _by_day(f, f.views_by_day, f.clicks_by_day),
            kind="line",
            series=(1, 2),
            # Views run to many times the clicks: clicks get an axis of their own, on the right.
            secondary=(1,),
            axis_titles=(_("Views a day"), _("Clicks a day")),
        ),
        Chart(
            key="cashback",
            title=_("Cashback and payouts by day"),
            columns=(
                Column(_("Date"), DATE),
                Column(_("Cashback reported"), MONEY),
                Column(_("Cashback confirmed"), MONEY),
                Column(_("Cashback declined"), MONEY),
                Column(_("Paid out"), MONEY),
            ),
            rows=_cashback_rows,
            kind="line",
            series=(1, 2, 3, 4),
        ),
        Chart(
            key="top-stores-clicks",
            title=_("Top stores by clicks"),
            columns=(Column(_("Store"), TEXT), Column(_("Clicks"), COUNT)),
            rows=lambda f: [(name, clicks) for name, _slug, clicks in f.top_stores_by_clicks],
            kind="bar",
            series=(1,),
        ),
        Chart(
            key="top-stores-commission",
            title=_("Top stores by commission reported"),
            columns=(Column(_("Store"), TEXT), Column(_("Commission"), MONEY)),
            rows=lambda f: [(name, amount) for name, _slug, amount in f.top_stores_by_commission],
            kind="bar",
            series=(1,),
        ),
        Chart(
            key="sales-by-category",
            title=_("Gift-card sales by category"),
            columns=(
                Column(_("Category"), TEXT),
                Column(_("Revenue"), MONEY),
                Column(_("Gift cards"), COUNT),
            ),
            rows=lambda f: list(f.sales_by_category),
            kind="bar",
            series=(1,),
        ),
        Chart(
            key="funnel",
            title=_("From view to payout"),
            columns=(
                Column(_("Step"), TEXT),
                Column(_("Count"), COUNT),
                Column(_("Of the step before"), PERCENT),
                Column(_("Amount"), MONEY),
            ),
            rows=_funnel_rows,
            kind="bar",
            series=(1,),
            log=True,
            note=_(
                "Each step counts what happened in these dates, so a step can exceed the one "
                "before it (sales confirmed now that were reported earlier): its share is then "
                "left out (—)."
            ),
        ),
    )
}


# --- For the page ---------------------------------------------------------------------------


class CellText:
    """Table cells as the page shows them (the exports keep the typed values). A year's day
    charts have thousands of cells: the locale's month and weekday names, thousands
    separator and grouping (lakh: 12,34,567, as the cards and format_inr) are read once here,
    then each count goes through Django's own number formatter with them."""

    def __init__(self):
        self.months = {number: str(name).title() for number, name in MONTHS_3.items()}
        self.weekdays = {number: str(name) for number, name in WEEKDAYS_ABBR.items()}
        self.separator = formats.get_format("THOUSAND_SEPARATOR")
        self.decimal = formats.get_format("DECIMAL_SEPARATOR")
        self.grouping = formats.get_format("NUMBER_GROUPING")

    def day(self, day: date) -> str:
        return f"{day.day} {self.months[day.month]}"  # "7 Dec", as the date format "j M"

    def count(self, value: int) -> str:
        return numberformat.format(
            value,
            self.decimal,
            grouping=self.grouping,
            thousand_sep=self.separator,
            force_grouping=True,
        )

    def __call__(self, value, kind: str) -> str:
        if value is None:
            return "—"
        if kind == MONEY:
            return format_inr(value)
        if kind == COUNT:
            return self.count(value)
        if kind == PERCENT:
            return f"{value:.1f}".replace(".", self.decimal) + "%"
        if kind == DATE:
            return f"{self.weekdays[value.weekday()]} {self.day(value)}"
        return str(value)


def chart_config(chart: Chart, rows: list[tuple], cell_text: CellText) -> dict:
    """What admin_dashboard.js reads from the page's json_script: labels, datasets of numbers
    (as strings, so a Decimal keeps its paise), and which are money."""
    if chart.columns[0].kind == DATE:
        labels = [cell_text.day(row[0]) for row in rows]
    else:
        labels = [str(row[0]) for row in rows]
    datasets = [
        {
            "label": str(chart.columns[index].label),
            "data": [str(row[index] or 0) for row in rows],
            "money": chart.columns[index].kind == MONEY,
        }
        for index in chart.series
    ]
    return {
        "type": chart.kind,
        "labels": labels,
        "datasets": datasets,
        "secondary": list(chart.secondary),
        "log": chart.log,
        # Left and right axis titles (empty when the chart has one value axis).
        "axisTitles": [str(title) for title in chart.axis_titles or ()],
    }


@dataclass(frozen=True)
class ShownChart:
    """One chart as the page renders it: its data for Chart.js and its table."""

    key: str
    title: str
    config: dict
    columns: list[str]
    # Cells as text, with whether each is a figure (right-aligned) or a label.
    rows: list[list[tuple[str, bool]]]
    note: str = ""

    def body_html(self) -> SafeString:
        """The table's rows as HTML, every cell escaped. Built here rather than looped over in
        the template: a year's three day charts hold over a thousand rows, which the template
        language (or format_html per cell) would take longer to render than the rest of the
        page."""
        parts = []
        for (label, _figure), *cells in self.rows:
            parts.append(f'<tr><th scope="row">{escape(label)}</th>')
            for text, figure in cells:
                parts.append(f"<td{NUMBER_CLASS if figure else ''}>{escape(text)}</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 (each cell escaped above)


def shown_charts(figures: Figures) -> dict[str, ShownChart]:
    """Every chart of the page, by key."""
    cell_text = CellText()
    return {key: _shown(chart, figures, cell_text) for key, chart in CHARTS.items()}


def _shown(chart: Chart, figures: Figures, cell_text: CellText) -> ShownChart:
    rows = chart.rows(figures)
    figure_columns = [column.kind not in (TEXT, DATE) for column in chart.columns]
    kinds = [column.kind for column in chart.columns]
    return ShownChart(
        key=chart.key,
        title=str(chart.title),
        config=chart_config(chart, rows, cell_text),
        columns=[str(column.label) for column in chart.columns],
        rows=[
            [
                (cell_text(value, kind), figure)
                for value, kind, figure in zip(row, kinds, figure_columns, strict=True)
            ]
            for row in rows
        ],
        note=str(chart.note or ""),
    )
