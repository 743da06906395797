"""The compliance and performance report (``/reports/compliance``): a period chosen with GOV.UK date inputs (the
last 12 months unless changed), and for each measure a chart drawn on the server, the same numbers in a table, its
notes and a link to the cases it counted (``/reports/compliance/<key>``). For coordinators, chairs, the independent
scrutineer and the partners."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request

from engine import workdays
from engine.reports import compliance
from engine.reports.records import Measure, Share
from engine.store import audit

from ..charts import Bar, bar_chart
from ..context import lif
from .common import current_actor, now, signed_in

bp = Blueprint("reports", __name__)
# how a drill-down line reads when it met the measure, and when not (the default: "Met", "Not met")
OUTCOME_WORDS = {"actions_overdue": ("Overdue", "Not overdue"),
                 "section11_returns_complete": ("Completed", "Not completed"),
                 "case_audit_grades": ("Good or adequate", "Inadequate")}
FIELDS = (("from", "From"), ("to", "To"))
DESCRIPTIONS = {
    "notification_within_5wd": "Notifications to the Child Safeguarding Practice Review Panel made within 5 working "
                               "days of the day the local authority became aware of the incident.",
    "rapid_review_within_15wd": "Rapid reviews sent to the Panel within 15 working days of the notification.",
    "report_within_6_months": "Review reports published within 6 months of the day the review was initiated.",
    "cdop_returns_on_time": "Child death review agency reports returned by their due date, 3 weeks after they were "
                            "asked for.",
    "section11_returns_complete": "Section 11 self-evaluation returns completed, of those asked for in the cycles "
                                  "that started in the period, with the ratings each standard was given and the "
                                  "previous cycle to compare with.",
    "actions_overdue": "Actions raised in the period that are still open after their due date. Lower is better.",
    "case_audit_grades": "Children whose files were audited in the period and graded good or adequate at the "
                         "multi-agency audit meeting.",
}


@bp.get("/reports/compliance")
@signed_in
def compliance_page() -> str:
    actor = current_actor()
    compliance.require_report_reader(actor)
    today = workdays.london_date(now())
    start, end, typed, errors = _period_from_form(today)
    measures: tuple[Measure, ...] = ()
    if not errors:
        with lif().reading() as db:
            measures = compliance.compliance_report(db, actor=actor, start=start, end=end, now=now())
    sections = [_section(m) for m in measures]
    overview = bar_chart("chart-overview", "Every measure", "The share of cases that met each measure.",
                         [Bar(m.label, m.numerator, m.denominator) for m in measures])
    return render_template("reports/compliance.html", sections=sections, overview=overview, measures=measures,
                           start=start, end=end, typed=typed, errors=errors,
                           descriptions={key: DESCRIPTIONS.get(key, "") for key in compliance.KEYS})


@bp.get("/reports/compliance/<key>")
@signed_in
def compliance_cases(key: str) -> str:
    actor = current_actor()
    compliance.require_report_reader(actor)
    if key not in compliance.KEYS:
        abort(404)
    today = workdays.london_date(now())
    start, end = compliance.default_period(today)
    try:
        start = date.fromisoformat(request.args.get("from") or start.isoformat())
        end = date.fromisoformat(request.args.get("to") or end.isoformat())
    except ValueError:
        abort(400)
    if start.year not in compliance.YEARS or end.year not in compliance.YEARS or end < start \
            or (end - start).days > compliance.LONGEST_PERIOD_DAYS:
        abort(400)
    with lif().unit_of_work() as db:
        measure, rows = compliance.measure_cases(db, key, actor=actor, start=start, end=end, now=now())
        audit.record(db, "compliance.cases_listed", actor=actor.username, now=now(), measure=key,
                     start=start.isoformat(), end=end.isoformat(), instance_ids=[r.instance_id for r in rows])
    return render_template("reports/cases.html", measure=measure, rows=rows, start=start, end=end,
                           words=OUTCOME_WORDS.get(key, ("Met", "Not met")))


def _section(measure: Measure) -> dict[str, Any]:
    """A measure's chart (the measure, then its first breakdown) and its tables."""
    first = next(iter(measure.breakdowns.items()), None)
    bars = [Bar("All", measure.numerator, measure.denominator)]
    if first:
        bars += [Bar(s.label, s.numerator, s.denominator) for s in first[1]]
    chart = bar_chart(f"chart-{measure.key}", measure.label,
                      f"{measure.label}{', ' + first[0] if first else ''}.", bars)
    return {"measure": measure, "chart": chart, "bars": bars,
            "tables": [(name, list(shares)) for name, shares in measure.breakdowns.items()]}


def _period_from_form(today: date) -> tuple[date, date, dict[str, dict[str, str]], list[tuple[str, str]]]:
    """The period typed in the two date inputs; each missing or impossible date named in ``errors``."""
    start, end = compliance.default_period(today)
    typed = {name: {part: request.args.get(f"{name}-{part}", "").strip()[:8] for part in ("day", "month", "year")}
             for name, _ in FIELDS}
    found = {"from": start, "to": end}
    errors = []
    for name, words in FIELDS:
        parts = typed[name]
        if not any(parts.values()):
            typed[name] = _parts(found[name])
            continue
        try:
            found[name] = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
            if found[name].year not in compliance.YEARS:
                raise ValueError
        except ValueError:
            errors.append((f"{words} must be a real date, for example 31 3 2026", f"#{name}-day"))
    if not errors and found["to"] < found["from"]:
        errors.append(("To must be the same as or after from", "#to-day"))
    elif not errors and (found["to"] - found["from"]).days > compliance.LONGEST_PERIOD_DAYS:
        errors.append(("From must be within 20 years of to", "#from-day"))
    return found["from"], found["to"], typed, errors


def _parts(day: date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


@bp.app_template_filter("share_words")
def share_words(share: Share | Measure | Bar) -> str:
    return Bar("", share.numerator, share.denominator).words
