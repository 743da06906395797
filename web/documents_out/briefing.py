"""A lesson's seven-minute briefing, as a Word document: the short briefing safeguarding partnerships share with
front-line teams (background, why it matters, what we learned, good practice, what to do, questions to reflect on,
the agencies it applies to, further information), for a team to read and talk through in about seven minutes.

It is made from the lesson's row only (``LoggedLesson``): its theme, words, good practice, agencies, process and the
source case's business key. A lesson holds no personal data, and the briefing adds none: never a pseudonym, a
child's details or anyone's name."""
from __future__ import annotations

import io
import re
from datetime import datetime

from docx import Document
from docx.shared import Pt
from werkzeug.wrappers import Response

from engine import workdays
from engine.reports.lessons import LogChoices, LoggedLesson

from . import DOCX_MIMETYPE  # noqa: F401  (re-exported for the routes)

NONE_IDENTIFIED = "None identified"


def in_words(moment: datetime) -> str:
    day = workdays.london_date(moment)
    return f"{day.day} {day:%B %Y}"


def _listed(names: list[str]) -> str:
    if len(names) <= 1:
        return names[0] if names else "every agency of the partnership"
    return ", ".join(names[:-1]) + " and " + names[-1]


def sections(entry: LoggedLesson, known: LogChoices) -> list[tuple[str, list[str]]]:
    """The briefing's numbered sections: (heading, paragraphs); a paragraph starting "• " is a bullet."""
    process = known.process_names.get(entry.process_key, "partnership's review")
    agencies = [known.agencies.get(a, a) for a in entry.agencies]
    theme = entry.theme_name
    good = entry.good_practice.strip() or NONE_IDENTIFIED
    return [
        ("Background", [f"This lesson comes from {entry.business_key}, a case of the {process} process. It was "
                        f"recorded in the partnership's learning log on {in_words(entry.recorded_at)}, under the "
                        f"theme “{theme}”."]),
        ("Why it matters", [f"Lessons under the theme “{theme}” come up again and again in reviews, audits and child "
                            "death reviews. Knowing what went wrong, and what went well, helps practitioners "
                            "recognise the same risks sooner and act on them together."]),
        ("What we learned", _paragraphs(entry.lesson)),
        ("Good practice", _paragraphs(good)),
        ("What to do", ["• Read this briefing with your team, at a team meeting or in supervision.",
                        "• Check your own practice, and your agency's procedures, against the lesson.",
                        "• Share the good practice with colleagues who work with children and families.",
                        "• Tell your agency's safeguarding lead what you have changed, so that the partnership can "
                        "see the difference the learning makes."]),
        ("Questions to reflect on", ["• Where could this happen in your own work?",
                                     "• What would you do differently tomorrow because of it?",
                                     f"• What does “{theme}” look like in the families your team works with?",
                                     "• Whom would you talk to, and how would you escalate, if you were worried?"]),
        ("Agencies it applies to", [f"This lesson applies to {_listed(agencies)}."]),
    ]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()] or [NONE_IDENTIFIED]


def briefing_docx(entry: LoggedLesson, known: LogChoices, *, today: datetime) -> bytes:
    """The briefing as the bytes of a .docx file."""
    document = Document()
    document.core_properties.title = f"Seven-minute briefing: {entry.theme_name}"
    document.core_properties.subject = f"Learning from {entry.business_key}"
    document.core_properties.author = document.core_properties.last_modified_by = "Safeguarding partnership"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(f"Seven-minute briefing: {entry.theme_name}", level=0)
    document.add_paragraph(f"Learning from {entry.business_key}", style="Subtitle")
    document.add_paragraph(in_words(today))
    document.add_paragraph().add_run("A seven-minute briefing is a short summary of one lesson, to read and discuss "
                                     "as a team in about seven minutes.").italic = True
    for number, (heading, paragraphs) in enumerate(sections(entry, known), start=1):
        document.add_heading(f"{number}. {heading}", level=1)
        for text in paragraphs:
            if text.startswith("• "):
                document.add_paragraph(text[2:], style="List Bullet")
            else:
                document.add_paragraph(text)
    document.add_heading("Further information", level=1)
    document.add_paragraph(f"This briefing is lesson {entry.id} of the partnership's learning log. Ask the "
                           "safeguarding partnership's business unit for the published report, the audit or Section "
                           "11 summary this lesson comes from, and for training on this theme.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def briefing_filename(entry: LoggedLesson) -> str:
    reference = re.sub(r"[^A-Za-z0-9_-]+", "-", entry.business_key).strip("-")[:64] or "lesson"
    return f"seven-minute-briefing-{reference}-{entry.id}.docx"


def briefing_response(entry: LoggedLesson, known: LogChoices, *, today: datetime) -> Response:
    """The briefing as a download, never cached."""
    return Response(briefing_docx(entry, known, today=today), mimetype=DOCX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{briefing_filename(entry)}"', "Cache-Control": "no-store"})
