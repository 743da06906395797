"""Suggested answers: a question whose UI schema says ``"lif:suggested": true`` is one the process works out for
its doer from the answers so far (the SCR screening's ``notification_required``, computed by a script), which
the person must still answer. A form opened fresh (no draft, nothing posted) is not pre-filled with it: GOV.UK
advises against pre-selected answers, and a worked-out value must not read as one somebody gave. Its hint says
what the answers so far suggest instead. A draft's or a posted answer is the person's own and still selects."""
from __future__ import annotations

import dataclasses
from typing import Any

from .answers import _text
from .model import Form, join_path, sub_object

SUGGESTED = "lif:suggested"
SUGGESTION_HINT = "Suggested from the answers so far: "


def suggested_paths(schema: dict[str, Any] | None, ui: dict[str, Any] | None, path: str = "") -> list[str]:
    """The paths of the questions the UI schema marks as suggested (through nested groups, not repeating ones)."""
    out: list[str] = []
    for name, child in sub_object(schema or {}, "properties").items():
        child_ui = sub_object(ui or {}, name)
        if child_ui.get(SUGGESTED) is True:
            out.append(join_path(path, name))
        elif isinstance(child, dict) and "properties" in child:
            out.extend(suggested_paths(child, child_ui, join_path(path, name)))
    return out


def hold_back(schema: dict[str, Any] | None, ui: dict[str, Any] | None,
              values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``values`` without their suggested answers (for a fresh form), and those answers by path."""
    kept = dict(values)
    found: dict[str, Any] = {}
    for path in suggested_paths(schema, ui):
        *groups, name = path.split(".")
        holder: Any = kept
        for group in groups:  # copy each nested group on the way, so ``values`` is never changed
            inner = holder.get(group)
            if not isinstance(inner, dict):
                break
            holder[group] = holder = dict(inner)
        else:
            if holder.get(name) is not None:
                found[path] = holder.pop(name)
    return kept, found


def note_suggestions(form: Form, suggestions: dict[str, Any]) -> Form:
    """Say each suggestion in its question's hint, in the words of its choices ("...so far: Yes")."""
    for field in form.root.walk():
        if field.path in suggestions:
            words = _text(dataclasses.replace(field, value=suggestions[field.path]))
            before = (field.hint or "").strip()
            joiner = " " if before.endswith((".", "?", "!", ":")) else ". "
            field.hint = (before + joiner if before else "") + SUGGESTION_HINT + words
    return form
