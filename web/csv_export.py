"""Lists as CSV files for spreadsheets: column headers in words, names rather than keys, dates in ISO form (a
spreadsheet sorts and reads ``2026-12-10`` as a date). A cell that a spreadsheet would run as a formula (one
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is given a leading apostrophe, as OWASP
advises against CSV injection: a case title is typed by people, and the file is opened by others."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from werkzeug.wrappers import Response

from engine import workdays

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One cell's text: dates as ISO dates (London's day), yes/no for booleans, nothing for None."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, datetime):
        text = workdays.london_date(value).isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download (``filename``), with a byte-order mark so that Excel reads the names' accents as UTF-8; never
    cached, since it holds case details."""
    body = "\ufeff" + csv_text(headers, rows)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
