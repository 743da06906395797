"""What the task page shows, worked out apart from its views: which page of a long form is drawn and its
problems, check your answers with a "Change" link per answer to its page and field, what a finished task's
answers were, and the side panel's words (the process's name, the role, people's full names)."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import abort, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from engine.bundles import definitions, forms
from engine.errors import LifError
from engine.reads.task_forms import TaskForm
from engine.records import Actor, TaskDetail
from engine.states import TaskState
from engine.work import tasks

from .. import forms_render
from ..forms_render import Form, Section
from ..forms_render.answers import AnswerSection, answer_sections
from ..forms_render.conditions import conditional_hints

ROLES_IN_WORDS = {"coordinator": "Coordinator", "chair": "Chair", "reviewer": "Reviewer",
                  "partner": "Safeguarding partner", "scrutineer": "Independent scrutineer"}


@dataclass(frozen=True)
class OnePage:
    """Where a form is drawn: all of it (``section`` None) or one page of a long form."""
    sections: tuple[Section, ...] = ()  # the pages asked, given the answers so far
    section: Section | None = None
    problems: list[dict[str, Any]] | None = None  # the page's problems, when it was opened from an error link

    def shows(self, path: str) -> bool:
        return self.section is None or path.split(".")[0] in self.section.fields

    @property
    def position(self) -> str:
        numbers = [s.number for s in self.sections]
        if self.section is None or self.section.number not in numbers:
            return ""
        return f"Part {numbers.index(self.section.number) + 1} of {len(numbers)}"

    @property
    def previous(self) -> Section | None:
        earlier = [s for s in self.sections if self.section and s.number < self.section.number]
        return earlier[-1] if earlier else None


def section_page(schema: dict[str, Any], ui: dict[str, Any] | None, shown: dict[str, Any], number: int | None,
                 check: bool) -> OnePage:
    """The page of ``schema`` numbered ``number`` (the first page asked when None); 404 for a page it lacks."""
    sections = forms_render.form_sections(schema, ui)
    if not sections:
        if number is not None:
            abort(404)
        return OnePage()
    asked = tuple(forms_render.asked(schema, sections, shown)) or tuple(sections)
    current = asked[0] if number is None else next((s for s in sections if s.number == number), None)
    if current is None:
        abort(404)
    problems = section_problems(schema, ui, shown, current) if check else None
    return OnePage(asked, current, problems)


def section_problems(schema: dict[str, Any], ui: dict[str, Any] | None, values: dict[str, Any],
                     section: Section) -> list[Any]:
    """The problems the engine would find on completion that belong to this page's questions."""
    sections = forms_render.form_sections(schema, ui)
    problems = forms.submission_problems(schema, forms_render.only_asked(schema, sections, values), ui)
    return [p for p in problems if forms_render.section_of(sections, str(p.get("field") or "")) == section]


def next_section(schema: dict[str, Any], ui: dict[str, Any] | None, values: dict[str, Any],
                 section: Section) -> Section | None:
    asked = forms_render.asked(schema, forms_render.form_sections(schema, ui), values)
    return next((s for s in asked if s.number > section.number), None)


def posted_section(db: Session, task_id: str, form: TaskForm, posted: MultiDict, *,
                   actor: Actor) -> tuple[Section | None, dict[str, Any]]:
    """The page of a long form a post came from, and the draft its answers go into (other pages' answers)."""
    number = posted.get("_section", "")
    sections = forms_render.form_sections(form.schema, form.ui_schema)
    section = next((s for s in sections if str(s.number) == number), None)
    return (section, tasks.task_draft(db, task_id, actor=actor)) if section else (None, {})


def with_section(parsed: dict[str, Any], earlier: dict[str, Any], section: Section | None) -> dict[str, Any]:
    return parsed if section is None else forms_render.merge_section(earlier, parsed, section)


def settle_page(form: Form | None, schema: dict[str, Any] | None, page: OnePage) -> Form | None:
    """On a long form's page, a group's hint saying when it is needed goes: a page not needed is skipped."""
    if form is None or page.section is None or not schema:
        return form
    properties = schema.get("properties") or {}
    kinds = {f.path: f.kind for f in form.root.children}
    conditions = conditional_hints(schema, properties, kinds)
    for child in form.root.children:
        if child.kind in ("object", "rows") and child.hint and child.hint == conditions.get(child.path):
            child.hint = None
    return form


def page_summary(form: Form | None, page: OnePage) -> list[tuple[str, str]]:
    """The error summary of the page drawn: on a long form's page, only that page's problems."""
    if form is None:
        return []
    if page.section is None:
        return form.summary
    targets = {f.target_id: f for f in form.root.walk()}
    return [(message, href) for message, href in form.summary
            if href[1:] in targets and page.shows(targets[href[1:]].path)]


@dataclass(frozen=True)
class CheckGroup:
    section: Section
    answers: list[AnswerSection]
    change_url: str


@dataclass(frozen=True)
class CheckPage:
    groups: list[CheckGroup]
    summary: list[tuple[str, str]] = field(default_factory=list)  # problems on completion, linked to page and field


def check_answers(task_id: str, schema: dict[str, Any], ui: dict[str, Any] | None, draft: dict[str, Any],
                  sections: list[Section], papers: Mapping[str, Any], problems: list | None) -> CheckPage:
    values = forms_render.only_asked(schema, sections, draft)
    every = frozenset(n for s in sections for n in s.fields)
    groups = []
    for section in forms_render.asked(schema, sections, values):
        found = answer_sections(schema, ui, values, documents=papers, keep_empty=True, skip=every - set(section.fields))
        found = [dataclasses.replace(a, title=None) if a.title == section.title else a for a in found]
        groups.append(CheckGroup(section, found, url_for("tasks.section_page", task_id=task_id, number=section.number)))
    return CheckPage(groups, _linked_problems(task_id, schema, ui, values, sections, papers, problems or []))


def _linked_problems(task_id: str, schema: dict[str, Any], ui: dict[str, Any] | None, values: dict[str, Any],
                     sections: list[Section], papers: Mapping[str, Any], problems: list) -> list[tuple[str, str]]:
    if not problems:
        return []
    form = forms_render.build_form(schema, ui, values, problems, papers)
    targets = {f.target_id: f for f in form.root.walk()}
    linked = []
    for message, href in form.summary:
        target = targets.get(href[1:])
        section = (forms_render.section_of(sections, target.path) if target else None) or sections[0]
        linked.append((message, url_for("tasks.section_page", task_id=task_id, number=section.number, errors=1,
                                        _anchor=href[1:])))
    return linked


def shown_values(detail: TaskDetail, values: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers a form to fill in is drawn with (those posted, else the draft, else the task's data less its
    suggested answers), and the suggested answers the case's data holds, for the questions' hints."""
    kept, suggestions = forms_render.hold_back(detail.form_schema, detail.ui_schema, detail.data)
    if values is not None:
        return values, suggestions
    return (detail.draft if detail.draft is not None else kept), suggestions


def answered(detail: TaskDetail) -> dict[str, Any]:
    """The answers a read-only task page shows: what was submitted, or the answers so far of a task not done
    (never a suggested answer nobody has given yet)."""
    if detail.task.state == TaskState.READY:
        return detail.draft or forms_render.hold_back(detail.form_schema, detail.ui_schema, detail.data)[0]
    return detail.data


def people(context: Mapping[str, Any]) -> dict[str, str]:
    """Username -> full name, for the page to name people."""
    return {u["username"]: u["full_name"] for u in context.get("users") or []}


def role_in_words(role: str | None, agency: str | None) -> str | None:
    if role is None:
        return None
    words = ROLES_IN_WORDS.get(role, role.replace("_", " ").capitalize())
    return f"Agency {words.lower()}" if agency and role == "reviewer" else words


def process_name(db: Session, key: str) -> str:
    try:
        return definitions.latest(db, key).name or key
    except LifError:
        return key
