"""The analytics export: one .xlsx workbook, a sheet per breakdown, money as numbers in rupees
(so the brand's spreadsheet can sum them), rates as percentages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from brands.models import Membership

from . import selectors

RUPEES = '"₹"#,##0.00'
PERCENT = '0.0"%"'
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(*, membership: Membership, start: date, end: date) -> str:
    return f"{membership.brand.slug}-analytics-{start.isoformat()}-{end.isoformat()}.xlsx"


def analytics_workbook(*, membership: Membership, start: date, end: date) -> bytes:
    """The workbook of the range for the offers the member sees."""
    figures = [
        ("views", _("Views"), None),
        ("clicks", _("Clicks"), None),
        ("claims", _("Claims"), None),
        ("redemptions", _("Redemptions"), None),
        ("redemption_rate", _("Redemptions per click (%)"), PERCENT),
        ("claim_rate", _("Claims per view (%)"), PERCENT),
        ("revenue", _("Revenue"), RUPEES),
        ("discount", _("Discount given"), RUPEES),
    ]
    money = [
        ("redemptions", _("Redemptions"), None),
        ("revenue", _("Revenue"), RUPEES),
        ("discount", _("Discount given"), RUPEES),
    ]
    scope = {"membership": membership, "start": start, "end": end}
    totals = selectors.analytics_totals(**scope).as_dict()
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([_("Brand"), membership.brand.name])
    summary.append([_("From"), start])
    summary.append([_("To"), end])
    for row in (1, 2, 3):
        summary.cell(row=row, column=1).font = Font(bold=True)
    summary["B2"].number_format = summary["B3"].number_format = "yyyy-mm-dd"
    summary.append([])
    _table(summary, [{"label": _("Total"), **totals}], [("label", "", None), *figures])
    sheets = [
        (_("By day"), selectors.analytics_by_day(**scope), [("date", _("Date"), "yyyy-mm-dd")]),
        (
            _("By offer"),
            selectors.analytics_by_offer(**scope),
            [("title", _("Offer"), None), ("department", _("Department"), None)],
        ),
        (
            _("By department"),
            selectors.analytics_by_department(**scope),
            [("name", _("Department"), None)],
        ),
    ]
    for title, rows, labels in sheets:
        _table(book.create_sheet(title[:31]), rows, [*labels, *figures])
    _table(
        book.create_sheet(_("By book")[:31]),
        selectors.analytics_by_book(**scope),
        [
            ("name", _("Book"), None),
            ("offer_title", _("Offer"), None),
            ("claims", _("Claims"), None),
            *money,
        ],
    )
    _table(
        book.create_sheet(_("By product")[:31]),
        selectors.analytics_by_product(**scope),
        [("sku", _("SKU"), None), ("name", _("Product"), None), *money],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet, rows: list[dict], columns: list[tuple[str, str, str | None]]) -> None:
    header = sheet.max_row + 1 if sheet.max_row > 1 else 1
    for index, (_key, title, _fmt) in enumerate(columns, start=1):
        cell = sheet.cell(row=header, column=index, value=str(title))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(title)) + 2)
    for offset, row in enumerate(rows, start=1):
        for index, (key, _title, number_format) in enumerate(columns, start=1):
            value = row.get(key)
            cell = sheet.cell(row=header + offset, column=index, value=_cell(value))
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)


def _cell(value):
    # openpyxl writes Decimal as a number, exactly: money keeps its paise, and the rupee
    # format shows it. Text-like values (UUIDs) go in as text.
    if value is None or isinstance(value, (int, float, str, date, Decimal)):
        return value
    return str(value)
