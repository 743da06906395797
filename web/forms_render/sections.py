"""Long forms as GOV.UK's "one thing per page": a form whose UI schema lists ``ui:sections``, or whose top level
holds two or more groups of questions (the Section 11 return's standards), is filled in one section per page,
each saved into the task's draft by "Continue", then checked on a check-your-answers page before the task is
completed. A shorter form stays one page and is completed directly, as GOV.UK does for a short transaction.

``ui:sections`` is a list of ``{"title": ..., "fields": [top-level names]}``. Top-level questions no section
lists join the first section; groups no section lists get a section each, titled by their legend."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .build import _kind, _ordered
from .conditions import needed
from .model import sub_object


@dataclass(frozen=True)
class Section:
    number: int  # from 1, as in the page's address
    title: str
    fields: tuple[str, ...]  # top-level property names, in the form's order


def form_sections(schema: dict[str, Any] | None, ui: dict[str, Any] | None) -> list[Section]:
    """The form's pages, or an empty list for a form that is one page."""
    schema, ui = schema or {}, ui or {}
    properties = sub_object(schema, "properties")
    names = _ordered(properties, ui.get("ui:order"))
    groups = [n for n in names if _kind(sub_object(properties, n), sub_object(ui, n)) in ("object", "rows")
              and "properties" in sub_object(properties, n)]
    declared = [s for s in ui.get("ui:sections") or [] if isinstance(s, dict) and isinstance(s.get("fields"), list)]
    if not declared and len(groups) < 2:
        return []
    listed = {n for s in declared for n in s["fields"]}
    loose = [n for n in names if n not in listed and n not in groups]
    parts: list[tuple[str, list[str]]] = [(str(s.get("title") or ""), [n for n in s["fields"] if n in properties])
                                          for s in declared]
    if loose:
        if parts:
            parts[0][1].extend(loose)
        else:
            parts.append((str(schema.get("title") or "Your details"), loose))
    parts.extend((str(sub_object(properties, g).get("title") or g), [g]) for g in groups if g not in listed)
    order = {n: i for i, n in enumerate(names)}
    return [Section(i + 1, title, tuple(sorted(fields, key=lambda n: order.get(n, 0))))
            for i, (title, fields) in enumerate(p for p in parts if p[1])]


def section_of(sections: list[Section], path: str) -> Section | None:
    """The section holding the field at ``path`` (``standard_2.rating``)."""
    top = path.split(".")[0].split("[")[0]
    return next((s for s in sections if top in s.fields), None)


def asked(schema: dict[str, Any] | None, sections: list[Section], values: dict[str, Any]) -> list[Section]:
    """The sections asked given the answers so far: a section none of whose questions is needed is skipped."""
    return [s for s in sections if any(needed(schema or {}, n, values) for n in s.fields)]


def merge_section(draft: dict[str, Any], posted: dict[str, Any], section: Section) -> dict[str, Any]:
    """The draft with the section's answers replaced by those posted (an emptied answer is removed)."""
    merged = {k: v for k, v in draft.items() if k not in section.fields}
    merged.update({k: v for k, v in posted.items() if k in section.fields})
    return merged


def only_asked(schema: dict[str, Any] | None, sections: list[Section], values: dict[str, Any]) -> dict[str, Any]:
    """The answers of the sections asked: answers left in a skipped section (a nil return's standards) are not
    sent with the task."""
    kept = {n for s in asked(schema, sections, values) for n in s.fields}
    every = {n for s in sections for n in s.fields}
    return {k: v for k, v in values.items() if k in kept or k not in every}
