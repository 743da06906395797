"""Lists as Excel workbooks (openpyxl): the same headers and rows as the CSV export (``csv_export``), with dates as
real dates, a bold header row frozen at the top and columns wide enough to read. Cells are written as values, never
formulas: a text starting with ``=`` stays text."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from werkzeug.wrappers import Response

from engine import workdays

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WIDTH = 60


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return workdays.london_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def add_sheet(book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A sheet named ``title`` (cut to Excel's 31 characters) with a header row and ``rows``."""
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [_value(v) for v in row]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text begins with
            elif isinstance(cell.value, date):
                cell.number_format = "d mmmm yyyy"
        for i, v in enumerate(values):
            widths[i] = max(widths[i], min(len(str(v)) if v is not None else 0, _MAX_WIDTH))
    for i, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = max(10, width + 2)
    sheet.freeze_panes = "A2"


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx file of one sheet per (title, headers, rows)."""
    book = Workbook()
    for blank in list(book.worksheets):  # the empty sheet a new workbook starts with
        book.remove(blank)
    for title, headers, rows in sheets:
        add_sheet(book, title, headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet: str = "Sheet1") -> Response:
    """A download of one sheet (``filename``), never cached, since it holds case details."""
    return Response(workbook_bytes([(sheet, headers, rows)]), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
