"""The data view of every user task of a bundle, read from its files: what the task's ``shows`` property names,
its own form's fields (always shown to its doer) and the case header. A definition never changes once
deployed, so its views are worked out once per process and kept (``views_of``)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from ..store.models import ProcessDefinition
from ..views import paths as view_paths
from ..views.paths import Path
from . import forms, stored
from .bpmn_xml import BPMN_NS, SPIFF_NS, is_dmn, parse_xml

SHOWS = "shows"
HEADER_VARIABLES = ("case_title", "pseudonym")  # with the business key, process and status: the case header
_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_CACHE_SIZE = 128


@dataclass(frozen=True)
class TaskView:
    """One user task's view. ``shows`` is what the bundle declares; ``paths`` adds the form and the header."""
    task: str  # the task's BPMN id
    filename: str
    line: int | None
    shows: tuple[Path, ...]
    form_fields: tuple[str, ...]
    problem: str | None = None  # the ``shows`` value could not be read (the task then shows only its form)

    @property
    def paths(self) -> tuple[Path, ...]:
        return self.shows + tuple((f,) for f in self.form_fields) + tuple((h,) for h in HEADER_VARIABLES)


@dataclass(frozen=True)
class BundleViews:
    tasks: Mapping[str, TaskView]
    own_agency_only: frozenset[str]  # the multi-instance outputs: each agency's answers, kept from the others
    _tries: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def project(self, task: str, data: Mapping[str, Any], *, agency: str | None) -> dict[str, Any]:
        """What task ``task`` (a BPMN id) shows of ``data`` when done for ``agency``. A task the bundle does
        not know (a diagram changed by a migration) shows the header only."""
        tree = self._tries.get(task)
        if tree is None:
            view = self.tasks.get(task)
            tree = self._tries[task] = view_paths.trie(
                view.paths if view is not None else tuple((h,) for h in HEADER_VARIABLES))
        return view_paths.project(data, tree, agency=agency, own_agency_only=self.own_agency_only)


def bundle_views(files: Mapping[str, str]) -> BundleViews:
    """The views of every user task in ``files`` (a bundle's files by name)."""
    tasks: dict[str, TaskView] = {}
    outputs: set[str] = set()
    for filename, text in sorted(files.items()):
        if not filename.endswith(".bpmn"):
            continue
        try:
            root = parse_xml(text, filename)
        except Exception:  # noqa: BLE001 - a broken diagram is reported by the deploy checks, not here
            continue
        if is_dmn(root):
            continue
        outputs.update((ref.text or "").strip() for ref in root.iter(_B + "loopDataOutputRef") if ref.text)
        for element in root.iter(_B + "userTask"):
            view = _task_view(element, filename, files)
            tasks[view.task] = view
    return BundleViews(tasks=tasks, own_agency_only=frozenset(outputs))


def _task_view(element: etree._Element, filename: str, files: Mapping[str, str]) -> TaskView:
    props = {p.get("name"): p.get("value") or "" for p in element.iter(_S + "property")}
    problem = None
    try:
        shows = view_paths.parse_shows(props.get(SHOWS))
    except view_paths.ViewError as exc:
        shows, problem = (), str(exc)
    return TaskView(task=str(element.get("id")), filename=filename, line=element.sourceline, shows=shows,
                    form_fields=form_fields(files.get(props.get("formJsonSchemaFilename") or "")), problem=problem)


def form_fields(schema_text: str | None) -> tuple[str, ...]:
    """The top-level fields of a form schema file, rendered as at deploy (with the sample context)."""
    if not schema_text:
        return ()
    try:
        schema = forms.render_schema(schema_text, dict(forms.SAMPLE_CONTEXT))
    except forms.FormError:
        return ()
    properties = schema.get("properties")
    return tuple(str(name) for name in properties) if isinstance(properties, dict) else ()


_cache: dict[tuple[int, str], BundleViews] = {}


def views_of(session: Session, definition: ProcessDefinition) -> BundleViews:
    """The views of a deployed definition, worked out from its files once per process."""
    key = (definition.id, definition.content_hash)
    found = _cache.get(key)
    if found is None:
        found = bundle_views(stored.files_of(session, definition))
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = found
    return found
