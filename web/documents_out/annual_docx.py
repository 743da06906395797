"""The annual pack as a Word document (python-docx) a business manager edits into the partnership's yearly report:
a title page, a heading per section, a short sentence before each table and real Word tables (so they can be
restyled, cut or pasted), dates in words, names rather than keys."""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from engine.reports.annual import AnnualFigures

from . import DOCX_MIMETYPE  # noqa: F401  (re-exported for the routes)
from . import annual_words as words

PARTNERSHIP = "[Partnership]"  # the business manager types the partnership's name over it


def annual_docx(figures: AnnualFigures, *, partnership: str = PARTNERSHIP) -> bytes:
    """The .docx file's bytes."""
    document = Document()
    document.core_properties.title = words.title(partnership, figures.year)
    _title_page(document, figures, partnership)
    _cases(document, figures)
    _measures(document, figures)
    _themes(document, figures)
    _actions(document, figures)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _title_page(document: DocumentType, figures: AnnualFigures, partnership: str) -> None:
    document.add_heading(words.title(partnership, figures.year), level=0)
    document.add_paragraph(f"Figures for 1 January to 31 December {figures.year}, from the partnership's case "
                           "records.")
    document.add_paragraph(f"Generated on {words.day_words(figures.generated_at)}.")
    if partnership == PARTNERSHIP:
        document.add_paragraph(f"Replace {PARTNERSHIP} with the partnership's name before you share this document.")
    document.add_page_break()


def _cases(document: DocumentType, figures: AnnualFigures) -> None:
    document.add_heading("Cases", level=1)
    document.add_paragraph(words.cases_sentence(figures))
    _table(document, words.case_headers(figures), words.case_rows(figures.cases), total=True)
    for case_type in figures.cases:
        for name, counts in case_type.outcomes.items():
            document.add_heading(f"{case_type.name}: {name.lower()}", level=2)
            document.add_paragraph(words.outcome_sentence(case_type, name, figures))
            _table(document, words.OUTCOME_HEADERS, [(c.label, c.count) for c in counts])


def _measures(document: DocumentType, figures: AnnualFigures) -> None:
    document.add_heading("Compliance and performance", level=1)
    document.add_paragraph(f"How the partnership met its statutory and local timescales in {figures.year}.")
    for measure in figures.measures:
        document.add_heading(measure.label, level=2)
        document.add_paragraph(words.measure_sentence(measure, figures.year))
        _table(document, words.MEASURE_HEADERS, [words.measure_row(measure)])
        for note in measure.notes:
            document.add_paragraph(note)
        for name, shares in measure.breakdowns.items():
            document.add_heading(words.breakdown_title(name), level=3)
            _table(document, words.SHARE_HEADERS, words.share_rows(shares))


def _themes(document: DocumentType, figures: AnnualFigures) -> None:
    document.add_heading("Learning themes", level=1)
    document.add_paragraph(words.themes_sentence(figures))
    _table(document, words.THEME_HEADERS, words.theme_rows(figures))


def _actions(document: DocumentType, figures: AnnualFigures) -> None:
    document.add_heading("Actions", level=1)
    document.add_paragraph(words.actions_sentence(figures))
    _table(document, words.action_headers(figures), words.action_rows(figures), total=True)


def _table(document: DocumentType, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
           total: bool = False) -> None:
    """A Word table with a bold header row that repeats on each page, numbers aligned right; ``total`` makes the
    last row bold."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table.rows[0])
    for number, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            run = cell.paragraphs[0].add_run(str(value))
            run.bold = total and number == len(rows)
            if not isinstance(value, str) or value.endswith("%") or value == "-":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not rows:
        table.add_row().cells[0].paragraphs[0].add_run("Nothing recorded in the year")
    document.add_paragraph()


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
