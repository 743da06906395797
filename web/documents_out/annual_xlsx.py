"""The annual pack as an Excel workbook: the same numbers as the Word document, one sheet per section, numbers as
numbers (a percent as its value, 85.7) so they can be charted and summed."""
from __future__ import annotations

from typing import Any

from engine.reports.annual import AnnualFigures

from ..xlsx_export import (
    XLSX_MIMETYPE,  # noqa: F401  (re-exported for the routes)
    workbook_bytes,
)
from . import annual_words as words

SHEETS = ("Cases", "Case outcomes", "Measures", "Measure breakdowns", "Learning themes", "Actions")


def annual_xlsx(figures: AnnualFigures) -> bytes:
    """The .xlsx file's bytes: the sheets of ``SHEETS``, in that order."""
    measures = [(m.label, m.numerator, m.denominator, m.percent, " ".join(m.notes)) for m in figures.measures]
    return workbook_bytes([
        ("Cases", words.case_headers(figures), words.case_rows(figures.cases)),
        ("Case outcomes", ("Process", "Figure", *words.OUTCOME_HEADERS), _outcomes(figures)),
        ("Measures", (*words.MEASURE_HEADERS, "Notes"), measures),
        ("Measure breakdowns", ("Measure", "Breakdown", *words.SHARE_HEADERS), _shares(figures)),
        ("Learning themes", words.THEME_HEADERS, words.theme_rows(figures)),
        ("Actions", words.action_headers(figures), words.action_rows(figures)),
    ])


def _outcomes(figures: AnnualFigures) -> list[tuple[Any, ...]]:
    return [(case_type.name, name, count.label, count.count)
            for case_type in figures.cases for name, counts in case_type.outcomes.items() for count in counts]


def _shares(figures: AnnualFigures) -> list[tuple[Any, ...]]:
    return [(measure.label, words.breakdown_title(name), share.label, share.numerator, share.denominator,
             share.percent)
            for measure in figures.measures for name, shares in measure.breakdowns.items() for share in shares]
