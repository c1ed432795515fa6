"""One chart's figures as a download: CSV (UTF-8 with a BOM, so Excel reads it; ISO dates,
amounts as plain numbers) or an Excel workbook (dates as dates, amounts and counts as numbers
with a display format, so a spreadsheet can sum them). The rows are the chart's own
(coupzii.dashboard.charts), the ones its table on the page shows."""

from __future__ import annotations

import csv
from datetime import date
from io import BytesIO, StringIO
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from coupzii.core.money import quantize

from .charts import COUNT, DATE, MONEY, PERCENT, TEXT, Chart
from .figures import Figures

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMBER_FORMATS = {DATE: "yyyy-mm-dd", MONEY: "#,##0.00", COUNT: "#,##0", PERCENT: "0.0"}
# A text cell a spreadsheet would run as a formula (a store named "=HYPERLINK(...)").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def range_query(start: date, end: date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


def filename(chart_key: str, start: date, end: date, fmt: str) -> str:
    return f"coupzii-{chart_key}-{start.isoformat()}-{end.isoformat()}.{fmt}"


def export(chart: Chart, figures: Figures, fmt: str) -> bytes:
    rows = chart.rows(figures)
    if fmt == "csv":
        return _csv(chart, rows)
    return _workbook(chart, figures, rows)


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == DATE:
        return value.isoformat()
    if kind == TEXT:
        return _text(str(value))
    if kind == MONEY:
        return str(quantize(value))  # always with paise: 1230.50, not 1230.5
    return str(value)


def _csv(chart: Chart, rows: list[tuple]) -> bytes:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column.label) for column in chart.columns])
    for row in rows:
        writer.writerow(
            [
                _csv_cell(value, column.kind)
                for value, column in zip(row, chart.columns, strict=True)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _workbook(chart: Chart, figures: Figures, rows: list[tuple]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(chart.title)[:31]
    sheet.append([str(chart.title)])
    sheet.append([_("From"), figures.start, _("To"), figures.end])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["B2"].number_format = sheet["D2"].number_format = NUMBER_FORMATS[DATE]
    sheet.append([])
    sheet.append([str(column.label) for column in chart.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [_text(value) if isinstance(value, str) else value for value in row],
        )
    for index, column in enumerate(chart.columns, start=1):
        letter = get_column_letter(index)
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = number_format
        width = max([len(str(column.label)), *(len(str(row[index - 1])) for row in rows)])
        sheet.column_dimensions[letter].width = min(max(12, width + 2), 48)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
