"""What a bundle declares about the registers in its ``process_model.json``::

    "registers": {"actions": {"action_item": "action"}, "lessons": {"scr": "learning_log"}},
    "parts": ["action_item"]

``registers.actions`` maps a process id to the variable that holds the one action its instances monitor (a dict with
an ``action_key``); ``registers.lessons`` maps a process id to the variable that holds its list of lessons. ``parts``
names the processes whose instances, when a message from another case starts them, are parts of that case (its
``parent_id``): an action plan's monitored actions belong to the plan."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Declaration:
    actions: dict[str, str]
    lessons: dict[str, str]
    parts: frozenset[str]

    @classmethod
    def of(cls, model: dict[str, Any] | None) -> Declaration:
        registers = (model or {}).get("registers") or {}
        return cls(actions=dict(registers.get("actions") or {}), lessons=dict(registers.get("lessons") or {}),
                   parts=frozenset((model or {}).get("parts") or ()))

    @property
    def empty(self) -> bool:
        return not (self.actions or self.lessons)


def problems(model: dict[str, Any], process_ids: set[str] | None = None) -> list[str]:
    """What is wrong with a bundle's declaration, in words (checked at deploy); process ids are checked against
    ``process_ids`` when given."""
    found = []
    registers = model.get("registers", {})
    if not isinstance(registers, dict) or set(registers) - {"actions", "lessons"}:
        return ["\"registers\" must be an object with \"actions\" and/or \"lessons\""]
    for name, mapping in registers.items():
        if not isinstance(mapping, dict) or not all(isinstance(v, str) and v.isidentifier() for v in mapping.values()):
            found.append(f"\"registers.{name}\" must map process ids to variable names")
            continue
        found += [f"\"registers.{name}\" names process {pid!r}, which the bundle does not have"
                  for pid in mapping if process_ids is not None and pid not in process_ids]
    parts = model.get("parts", [])
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        found.append("\"parts\" must be a list of process ids")
    else:
        found += [f"\"parts\" names process {pid!r}, which the bundle does not have" for pid in parts
                  if process_ids is not None and pid not in process_ids]
    return found
