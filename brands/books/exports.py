"""A book's codes as a download, streamed: CSV, and Excel (.xlsx) written row by row into a
zip stream, so a million codes start downloading at once and never sit in memory.

openpyxl's write-only mode would still build the whole file before the first byte is sent;
an .xlsx is a zip of a few XML parts, and the sheet part can be written as rows arrive.
"""

import csv
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext

from offers.models import CodeStatus

_STATUS_LABELS = dict(CodeStatus.choices)
# Excel counts days from 1899-12-30 (its 1900 leap-year quirk included).
_EXCEL_EPOCH = datetime(1899, 12, 30)


def headers() -> list[str]:
    return [gettext("Code"), gettext("Status"), gettext("Claimed at"), gettext("Redemptions")]


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def csv_stream(rows: Iterable[tuple]) -> Iterator[str]:
    """CSV lines: a header, then code, status, claim time (local, ISO), redemptions."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())  # the BOM makes Excel read UTF-8
    for code, status, claimed_at, redemptions in rows:
        claimed = _local(claimed_at)
        yield writer.writerow(
            [
                code,
                _STATUS_LABELS.get(status, status),
                claimed.isoformat(sep=" ", timespec="seconds") if claimed else "",
                redemptions,
            ]
        )


class _Pipe:
    """A write-only file that zipfile writes into and the generator drains."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEETML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEETML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEETML}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_RELATIONS}">'
    '<sheets><sheet name="Codes" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 1: a date and time (built-in number format 22), for the claim time.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<cols><col min="1" max="1" width="24" customWidth="1"/>'
    '<col min="3" max="3" width="18" customWidth="1"/></cols><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
ROWS_PER_WRITE = 2_000


def _text_cell(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _row_xml(code, status, claimed_at, redemptions) -> str:
    claimed = _local(claimed_at)
    if claimed:
        serial = (claimed - _EXCEL_EPOCH).total_seconds() / 86400
        claimed_cell = f'<c s="1"><v>{serial:.6f}</v></c>'
    else:
        claimed_cell = "<c/>"
    return (
        f"<row>{_text_cell(code)}{_text_cell(str(_STATUS_LABELS.get(status, status)))}"
        f"{claimed_cell}<c><v>{int(redemptions)}</v></c></row>"
    )


def xlsx_stream(rows: Iterable[tuple]) -> Iterator[bytes]:
    """The bytes of an .xlsx file with one sheet, "Codes": the header row, then a row per
    code (code, status, claim time as an Excel date, redemptions)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            archive.writestr(name, text)
        yield pipe.drain()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = "".join(_text_cell(title) for title in headers())
            sheet.write((_SHEET_START + f"<row>{header}</row>").encode())
            batch: list[str] = []
            for row in rows:
                batch.append(_row_xml(*row))
                if len(batch) >= ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    yield pipe.drain()
            sheet.write(("".join(batch) + _SHEET_END).encode())
        yield pipe.drain()
    yield pipe.drain()
