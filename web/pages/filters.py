"""Jinja filters for the pages: dates in London time in the GOV.UK style, working days left, action names,
statuses in words, case data in words (never JSON), and Markdown rendered with markdown-it-py and sanitised
with nh3."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from engine import workdays

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_CLASSES = {"h1": "govuk-heading-m", "h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s",
            "p": "govuk-body", "ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number",
            "a": "govuk-link", "blockquote": "govuk-inset-text", "table": "govuk-table"}
_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "strong", "em", "code", "pre", "blockquote", "br",
         "hr", "table", "thead", "tbody", "tr", "th", "td"}


def _add_classes(state: Any) -> None:
    for token in state.tokens:
        if token.nesting == 1 and token.tag in _CLASSES:
            token.attrSet("class", _CLASSES[token.tag])
        for child in token.children or []:
            if child.nesting == 1 and child.tag in _CLASSES:
                child.attrSet("class", _CLASSES[child.tag])


_MARKDOWN.core.ruler.push("govuk_classes", _add_classes)


def markdown(text: str | None) -> Markup:
    """Markdown as sanitised HTML with GOV.UK classes; raw HTML in the source is escaped, then nh3 cleans."""
    if not text:
        return Markup("")
    html = _MARKDOWN.render(text)
    clean = nh3.clean(html, tags=_TAGS, attributes={"*": {"class"}, "a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


def london_date(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    day = workdays.london_date(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%B %Y}"


def london_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(workdays.LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def iso_date(text: Any) -> str:
    """A stored ISO date or date-time ("2026-12-10", "2028-09-23T09:00:00+00:00") as "10 December 2026" (a time's
    day in London); anything else as it is."""
    value = str(text)
    try:
        return london_date(date.fromisoformat(value))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return london_date(moment if moment.tzinfo else moment.replace(tzinfo=workdays.LONDON))


def days_left(days: int | None) -> str:
    if days is None:
        return "No deadline"
    if days > 1:
        return f"{days} working days left"
    if days == 1:
        return "1 working day left"
    if days == 0:
        return "Due today"
    return f"{-days} working day{'s' if days != -1 else ''} overdue"


def action_name(action: str) -> str:
    """``task.deadline_extended`` as "Deadline extended"."""
    subject, _, verb = action.partition(".")
    words = verb.replace("_", " ") if verb else subject
    names = {"instance": "Case", "task": "Task", "comment": "Comment", "message": "Message", "auth": "Sign-in"}
    if verb.startswith("deadline"):
        return words.capitalize()
    return f"{names.get(subject, subject.capitalize())} {words}"


# What the engine and the bundles store, as a user reads it. A word missing here is read by ``status_name``'s
# fallback (underscores as spaces, first letter capital), so a new status never shows as a key.
STATUS_NAMES = {
    "active": "Active", "completed": "Completed", "cancelled": "Cancelled", "error": "Stopped by an error",
    "ready": "To do", "paused": "Paused", "claimed": "Claimed", "overdue": "Overdue",
    "on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "not_started": "Not started",
    "in_progress": "In progress", "complete": "Complete", "blocked": "Blocked", "withdrawn": "Withdrawn",
    "green": "Green", "amber": "Amber", "red": "Red",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$")
_PERIOD = re.compile(r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?$")
_KEY = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def status_name(status: Any) -> str:
    """A status word as the pages show it: ``on_track`` as "On track", ``active`` as "Active"."""
    if status is None or status == "":
        return ""
    word = str(status)
    return STATUS_NAMES.get(word, word.replace("_", " ").strip().capitalize())


def pretty(value: Any) -> str:
    """A case-data value in words, never JSON: text as it is (a date as "10 December 2026"), yes or no, a list
    as "a, b and c", a record as "Label: value; ...", nothing as "Not given". Where a form's schema is at hand,
    ``web.forms_render.answers`` reads values better (titles, option names); this is the fallback."""
    if value is None or value == "" or value == [] or value == {}:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _text_in_words(value)
    if isinstance(value, (list, tuple)):
        return _listed([pretty(item) for item in value])
    if isinstance(value, dict):
        return "; ".join(f"{status_name(key)}: {pretty(item)}" for key, item in value.items())
    return str(value)


def _text_in_words(value: str) -> str:
    """A stored date as a date, an ISO period as a period ("P28D" as "4 weeks"), a stored key or status as words
    ("whole_case" as "Whole case", "completed" as "Completed"); any other text as it is."""
    if _ISO_DATE.match(value):
        return iso_date(value)
    if _KEY.match(value) or value in STATUS_NAMES:
        return status_name(value)
    period = _PERIOD.match(value)
    if period and len(value) > 1:
        return period_words(value)
    return value


def period_words(value: str) -> str:
    """An ISO 8601 period of years, months, weeks or days in words: "P28D" as "4 weeks", "P3M" as "3 months",
    "P1Y6M" as "1 year and 6 months"; anything else as it is."""
    found = _PERIOD.match(value)
    if not found or len(value) < 2:
        return value
    parts = {unit: int(n) for unit, n in found.groupdict().items() if n}
    if set(parts) == {"D"} and parts["D"] % 7 == 0:
        parts = {"W": parts["D"] // 7}
    return _listed([f"{n} {_UNITS[unit]}{'s' if n != 1 else ''}" for unit, n in parts.items()])


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else "Not given"
    return ", ".join(items[:-1]) + " and " + items[-1]


def install_filters(app: Flask) -> None:
    app.jinja_env.filters.update(markdown=markdown, london_date=london_date, london_datetime=london_datetime,
                                 iso_date=iso_date, days_left=days_left, action_name=action_name, pretty=pretty,
                                 status_name=status_name, period_words=period_words)
