"""Deploy-time checks of the data views (``shows``) of a bundle's user tasks: each view is well formed, names
only variables something in the bundle writes (``written``), and holds every variable the task's instructions
and form templates use, since they are rendered against the task's view alone (a variable outside it would
render as nothing). Each problem names the task, the file and the variable."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from ..spiff.parser import MessageEvent
from .bpmn_xml import BPMN_NS, SPIFF_NS, Problem, XmlRefused, is_dmn, parse_xml
from .forms import SAMPLE_CONTEXT
from .task_views import HEADER_VARIABLES, SHOWS, TaskView, bundle_views
from .written import written_variables

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
FORM_CONTEXT = frozenset(SAMPLE_CONTEXT)  # agencies, agency_keys, agency_names, users, usernames, user_names
FORM_FILE_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
_JINJA = SandboxedEnvironment()  # only parses here (linear in the text); rendering happens in a sandbox worker


def view_problems(files: Mapping[str, str], model: Mapping[str, Any],
                  messages: Iterable[MessageEvent]) -> list[Problem]:
    """Every problem with the views of the bundle in ``files``, by task."""
    bundle = bundle_views(files)
    views, written = bundle.tasks, written_variables(files, model, messages, bundle)
    elements = _user_tasks(files)
    problems: list[Problem] = []
    for task_id, view in sorted(views.items()):
        where = (view.filename, view.line, task_id)
        if view.problem:
            problems.append(Problem(view.filename, f"user task {task_id!r}: {SHOWS}: {view.problem}", *where[1:]))
            continue
        problems.extend(_unwritten(view, written))
        element = elements.get((view.filename, task_id))
        if element is not None:
            problems.extend(_template_problems(view, element, files))
    return problems


def _user_tasks(files: Mapping[str, str]) -> dict[tuple[str, str], etree._Element]:
    found = {}
    for filename, text in files.items():
        if not filename.endswith(".bpmn"):
            continue
        try:
            root = parse_xml(text, filename)
        except XmlRefused:
            continue
        if not is_dmn(root):
            found.update({(filename, str(e.get("id"))): e for e in root.iter(_B + "userTask")})
    return found


def _unwritten(view: TaskView, written: frozenset[str]) -> Iterator[Problem]:
    named: list[str] = []
    for path in view.shows:
        if path[0] not in written and path[0] not in named:
            named.append(path[0])
    for variable in named:
        yield Problem(view.filename, f"user task {view.task!r} shows {variable!r}, which nothing in the bundle "
                                     "writes (no form field, script, decision output, multi-instance item, message "
                                     "variable or start_data of process_model.json names it)", view.line, view.task)


def _template_problems(view: TaskView, element: etree._Element, files: Mapping[str, str]) -> Iterator[Problem]:
    """Variables the task's instructions and Jinja form files use that its view does not hold."""
    allowed = {path[0] for path in view.shows} | set(view.form_fields) | set(HEADER_VARIABLES) | FORM_CONTEXT
    props = {p.get("name"): p.get("value") or "" for p in element.iter(_S + "property")}
    sources = [(view.filename, i.sourceline, "its instructions", i.text or "")
               for i in element.iter(_S + "instructionsForEndUser")]
    sources += [(props[name], None, f"its form file {props[name]!r}", files[props[name]])
                for name in FORM_FILE_PROPERTIES if props.get(name) in files]
    for filename, line, what, text in sources:
        try:
            used = template_variables(text)
        except jinja2.TemplateSyntaxError as exc:
            yield Problem(filename, f"user task {view.task!r}: {what} cannot be read as a template: {exc.message}",
                          line if line is not None else exc.lineno, view.task)
            continue
        for variable in sorted(used - allowed):
            yield Problem(filename, f"user task {view.task!r}: {variable!r} is used by {what} but is not in the "
                                    f"task's view (add it to the task's {SHOWS} property)", line, view.task)


def template_variables(text: str) -> set[str]:
    """The variables a Jinja template reads from its context (not those it sets itself, nor Jinja's globals)."""
    if not any(mark in text for mark in ("{{", "{%", "{#")):
        return set()
    return set(meta.find_undeclared_variables(_JINJA.parse(text))) - set(_JINJA.globals)
