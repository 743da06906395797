"""Jinja filters for the pages: dates in London time in the GOV.UK style, working days left, action names,
and Markdown rendered with markdown-it-py and sanitised with nh3."""
from __future__ import annotations

import json
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
    try:
        return london_date(date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


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


def pretty(value: Any) -> str:
    """A case-data value for display: text as it is, anything else as indented JSON (escaped by Jinja)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def install_filters(app: Flask) -> None:
    app.jinja_env.filters.update(markdown=markdown, london_date=london_date, london_datetime=london_datetime,
                                 iso_date=iso_date, days_left=days_left, action_name=action_name, pretty=pretty)
