"""Each chart's figures as CSV and Excel: the rows are the chart's figures for the range asked
for, amounts are numbers (not text), and a bad range is a 400 that says why."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from coupzii.dashboard import charts, exports, figures

from .made_figures import funnel_figures
from .rollup_rows import rollup_history

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


@pytest.fixture
def history():
    today = timezone.localdate()
    return {"today": today, **rollup_history(today)}


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def export(client, chart: str, fmt: str, start: date, end: date):
    return client.get(
        f"/admin/dashboard/export/{chart}.{fmt}",
        {"start": start.isoformat(), "end": end.isoformat()},
    )


def test_revenue_csv_has_a_row_for_every_day_of_the_range(operator_client, history):
    today = history["today"]
    start = today - timedelta(days=6)

    response = export(operator_client, "revenue", "csv", start, today)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="coupzii-revenue-{start.isoformat()}-{today.isoformat()}.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["Date", "Revenue", "Paid orders"]
    expected = {today: ["740.50", "4"], today - timedelta(days=3): ["1230.50", "5"]}
    days = [start + timedelta(days=n) for n in range(7)]
    assert rows[1:] == [[day.isoformat(), *expected.get(day, ["0.00", "0"])] for day in days]


@pytest.mark.parametrize("key", list(charts.CHARTS))
def test_every_chart_csv_holds_the_figures_of_the_range(operator_client, history, key):
    today = history["today"]
    start = today - timedelta(days=29)
    chart = charts.CHARTS[key]
    rows = chart.rows(figures.range_figures(start=start, end=today))

    exported = csv_rows(export(operator_client, key, "csv", start, today))

    assert exported[0] == [str(column.label) for column in chart.columns]
    assert len(exported) - 1 == len(rows)
    for line, row in zip(exported[1:], rows, strict=True):
        for text, value, column in zip(line, row, chart.columns, strict=True):
            if column.kind == charts.MONEY:
                assert (D(text) if text else None) == value
            elif column.kind == charts.COUNT:
                assert int(text) == value
            elif column.kind == charts.DATE:
                assert date.fromisoformat(text) == value
            elif column.kind == charts.PERCENT:
                assert (D(text) if text else None) == value


def test_a_store_name_a_spreadsheet_would_run_is_written_as_text(operator_client, history):
    today = history["today"]

    rows = csv_rows(export(operator_client, "top-stores-clicks", "csv", today, today))

    assert rows[1:] == [["Myntra", "40"], ["'=AJIO", "7"]]


def test_the_excel_file_opens_and_holds_numbers_and_dates(operator_client, history):
    today = history["today"]
    start = today - timedelta(days=29)

    response = export(operator_client, "cashback", "xlsx", start, today)

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Cashback and payouts by day"
    assert values[1][1].date() == start and values[1][3].date() == today
    assert values[3] == (
        "Date",
        "Cashback reported",
        "Cashback confirmed",
        "Cashback declined",
        "Paid out",
    )
    body = values[4:]
    assert len(body) == 30
    by_day = {row[0].date(): row[1:] for row in body}
    assert by_day[today] == (75.25, 40, 5, 300)
    assert by_day[today - timedelta(days=1)] == (0, 0, 0, 0)
    # Numbers, with a money format, so the sheet can sum them.
    cell = sheet.cell(row=5, column=2)
    assert cell.data_type == "n" and cell.number_format == "#,##0.00"


def test_the_funnel_workbook_has_counts_shares_and_amounts(operator_client, history):
    today = history["today"]

    response = export(operator_client, "funnel", "xlsx", today, today)

    sheet = load_workbook(io.BytesIO(response.content)).active
    body = list(sheet.iter_rows(min_row=5, values_only=True))
    assert body == [
        ("Offer views", 1300, None, None),
        ("Clicks to stores", 47, 3.6, None),
        ("Sales reported", 3, 6.4, 150.5),
        ("Sales confirmed", 3, 100, 40),
        ("Withdrawals paid", 1, 33.3, 300),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-03", "end": "2026-01-05"}, "on or after the start date"),
        ({"start": "2024-01-01", "end": "2025-06-01"}, "at most 366 days"),
        ({"start": "yesterday", "end": "2026-01-05"}, "Enter a valid date"),
    ],
)
def test_a_range_it_cannot_export_is_a_400_that_says_why(operator_client, query, message):
    response = operator_client.get("/admin/dashboard/export/revenue.csv", query)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("path", ["nothing.csv", "revenue.pdf", "revenue.CSV"])
def test_an_unknown_chart_or_format_is_a_404(operator_client, path):
    assert operator_client.get(f"/admin/dashboard/export/{path}").status_code == 404


def test_without_dates_the_export_is_the_last_30_days(operator_client):
    response = operator_client.get("/admin/dashboard/export/revenue.csv")

    today = timezone.localdate()
    rows = csv_rows(response)
    assert len(rows) == 31
    assert rows[-1][0] == today.isoformat()


def test_a_funnel_step_larger_than_the_one_before_has_no_share_in_the_downloads():
    got = funnel_figures(reported=29, confirmed=30)

    text = exports.export(charts.CHARTS["funnel"], got, "csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][2] == "Of the step before"
    # 30 confirmed of 29 reported: no "103.4", an empty cell (as the first step's).
    assert [row[2] for row in rows[1:]] == ["", "5.0", "58.0", ""]
    sheet = load_workbook(io.BytesIO(exports.export(charts.CHARTS["funnel"], got, "xlsx"))).active
    assert [row[2] for row in sheet.iter_rows(min_row=5, values_only=True)] == [
        None,
        5.0,
        58.0,
        None,
    ]
