"""The annual pack in words: the sentences that introduce each table and the tables' rows, shared by the Word
document, the workbook and the page so all three say the same thing with the same numbers."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from engine import workdays
from engine.reports.annual import AnnualFigures
from engine.reports.annual_cases import CaseType
from engine.reports.records import Measure, Share

OUTCOME_HEADERS = ("Outcome", "Cases started in the year")
MEASURE_HEADERS = ("Measure", "Number", "Out of", "Percent")
SHARE_HEADERS = ("Name", "Number", "Out of", "Percent")
THEME_HEADERS = ("Theme", "Lessons", "Cases", "Lessons with good practice")


def day_words(moment: datetime | date) -> str:
    day = workdays.london_date(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%B %Y}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def percent_text(percent: float | None) -> str:
    """A table's percent: as computed (one decimal place), or a dash when there was nothing to count."""
    return "-" if percent is None else f"{percent:g}%"


def whole_percent(numerator: int, denominator: int) -> str:
    return f"{round(100 * numerator / denominator)}%" if denominator else "-"


def at_end(figures: AnnualFigures) -> str:
    """When the open and overdue are counted: the year's end, or today while the year runs."""
    return "at the end of the year" if figures.year_over else f"on {day_words(figures.as_at)}"


def case_headers(figures: AnnualFigures) -> tuple[str, ...]:
    return ("Process", "Started", "Completed", "Cancelled", f"Open {at_end(figures)}")


def action_headers(figures: AnnualFigures) -> tuple[str, ...]:
    return ("Agency", "Raised", "Signed off", "Withdrawn", f"Open {at_end(figures)}", f"Overdue {at_end(figures)}")


def title(partnership: str, year: int) -> str:
    return f"{partnership} annual report figures, {year}"


def cases_sentence(figures: AnnualFigures) -> str:
    started = sum(c.started for c in figures.cases)
    completed = sum(c.completed for c in figures.cases)
    cancelled = sum(c.cancelled for c in figures.cases)
    still_open = sum(c.open_at_end for c in figures.cases)
    return (f"In {figures.year} the partnership started {plural(started, 'case')} and completed {completed}; "
            f"{cancelled} {'was' if cancelled == 1 else 'were'} cancelled. {_capital(at_end(figures))} "
            f"{plural(still_open, 'case was', 'cases were')} open.")


def case_rows(cases: Sequence[CaseType]) -> list[tuple[str, int, int, int, int]]:
    """A row per process and one for them all."""
    rows = [(c.name, c.started, c.completed, c.cancelled, c.open_at_end) for c in cases]
    return rows + [("All processes", sum(c.started for c in cases), sum(c.completed for c in cases),
                    sum(c.cancelled for c in cases), sum(c.open_at_end for c in cases))]


def outcome_sentence(case_type: CaseType, name: str, figures: AnnualFigures) -> str:
    total = sum(count.count for count in case_type.outcomes[name])
    when = f"by the end of {figures.year}" if figures.year_over else f"by {day_words(figures.as_at)}"
    return f"{name} {when}, for the {plural(total, 'case')} started in the year."


MEASURE_SENTENCES = {
    "notification_within_5wd": "In {year} the partnership notified the Panel of {d} serious incident{s}; {n} ({p}) "
                               "within 5 working days.",
    "rapid_review_within_15wd": "In {year}, {n} of {d} rapid review{s} ({p}) went to the Panel within 15 working "
                                "days.",
    "report_within_6_months": "In {year}, {n} of {d} review{s} ({p}) {verb} published within 6 months.",
}


def measure_sentence(measure: Measure, year: int) -> str:
    if not measure.denominator:
        return f"{measure.label}: nothing to count in {year}."
    words = MEASURE_SENTENCES.get(measure.key, "{label} in {year}: {n} of {d} ({p}).")
    return words.format(year=year, n=measure.numerator, d=measure.denominator, label=measure.label,
                        p=whole_percent(measure.numerator, measure.denominator),
                        s="" if measure.denominator == 1 else "s", verb="was" if measure.numerator == 1 else "were")


def measure_row(measure: Measure) -> tuple[str, int, int, str]:
    return (measure.label, measure.numerator, measure.denominator, percent_text(measure.percent))


def share_rows(shares: Sequence[Share]) -> list[tuple[str, int, int, str]]:
    return [(s.label, s.numerator, s.denominator, percent_text(s.percent)) for s in shares]


def breakdown_title(name: str) -> str:
    return name[:1].upper() + name[1:]


def themes_sentence(figures: AnnualFigures) -> str:
    return (f"In {figures.year} the partnership recorded {plural(figures.lessons, 'lesson')} under "
            f"{plural(len(figures.themes), 'theme')}.")


def theme_rows(figures: AnnualFigures) -> list[tuple[str, int, int, int]]:
    return [(t.name, t.lessons, t.cases, t.good_practice) for t in figures.themes]


def actions_sentence(figures: AnnualFigures) -> str:
    total = figures.actions.total
    return (f"In {figures.year}, {plural(total.raised, 'action was', 'actions were')} raised; "
            f"{total.signed_off} {'was' if total.signed_off == 1 else 'were'} signed off and {total.withdrawn} "
            f"withdrawn. {_capital(at_end(figures))} {plural(total.open_at_end, 'action was', 'actions were')} open, "
            f"{total.overdue_at_end} of them overdue.")


def action_rows(figures: AnnualFigures) -> list[tuple[str, int, int, int, int, int]]:
    return [(a.name, a.raised, a.signed_off, a.withdrawn, a.open_at_end, a.overdue_at_end)
            for a in (*figures.actions.by_agency, figures.actions.total)]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
