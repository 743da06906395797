"""SpiffWorkflow's BPMN and DMN parser, for the bundle code: documents in, a process list, the message start
events and the specs as JSON out, and the parser's complaints as ``ParseError`` (plain attributes, so the
bundle code names the file, line and element without knowing the library's exception)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from .state import serialize_specs


class ParseError(Exception):
    """The parser refused a document or a process. ``line_number`` and ``id`` are what the library knew
    (often nothing: it reads a line attribute lxml does not have)."""

    def __init__(self, message: str, file_name: str = "", line_number: Any = None, id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file_name = file_name
        self.line_number = line_number
        self.id = id

    @classmethod
    def from_library(cls, exc: ValidationException) -> ParseError:
        return cls(str(exc), getattr(exc, "file_name", "") or "", getattr(exc, "line_number", None),
                   getattr(exc, "id", "") or "")


@dataclass(frozen=True)
class MessageEvent:
    """A message an element throws or catches, as the library reads the diagram: its name (from the message the
    event refers to, or the element's own name when it refers to none) and, for a catch, the variable its payload
    is written to (``messageVariable`` on the event definition, or on the ``bpmn:message`` when that carries one)."""
    name: str
    catches: bool
    element: str  # the BPMN id of the event or task
    file: str
    variable: str | None


class BundleParser:
    """One bundle's documents, parsed into specs. Other exceptions than ``ParseError`` pass through: the parser
    raises plain ones for some malformed documents."""

    def __init__(self) -> None:
        self._parser = SpiffBpmnParser(validator=VALIDATOR)
        self._specs: dict[str, Any] = {}
        self._subprocess_specs: dict[str, Any] = {}

    def add_document(self, root: Any, filename: str, *, dmn: bool) -> None:
        """Add a parsed (lxml) BPMN or DMN document."""
        adder = self._parser.add_dmn_xml if dmn else self._parser.add_bpmn_xml
        try:
            adder(root, filename=filename)
        except ValidationException as exc:
            raise ParseError.from_library(exc) from exc

    def process_ids(self) -> list[str]:
        """The executable processes of the documents added, sorted."""
        return sorted(self._parser.get_process_ids())

    def build(self, process_id: str) -> None:
        """Build the spec of ``process_id`` and of the subprocesses it calls."""
        try:
            self._specs[process_id] = self._parser.get_spec(process_id)
            self._subprocess_specs.update(self._parser.get_subprocess_specs(process_id))
        except ValidationException as exc:
            raise ParseError.from_library(exc) from exc

    def spec_json(self) -> str:
        """The specs built, as LIF stores them once per deployed version."""
        return serialize_specs(self._specs, self._subprocess_specs)

    def message_starts(self) -> dict[str, str]:
        """Message name -> the first process (of those built) with a start event catching it."""
        starts: dict[str, str] = {}
        for pid, spec in self._specs.items():
            for task_spec in spec.task_specs.values():
                event = getattr(task_spec, "event_definition", None)
                if isinstance(task_spec, StartEvent) and isinstance(event, MessageEventDefinition):
                    starts.setdefault(event.name, pid)
        return starts

    def message_events(self) -> list[MessageEvent]:
        """Every message thrown or caught by the processes built (and the subprocesses they contain), once each."""
        found: dict[tuple[str, str, str, bool], MessageEvent] = {}
        for spec in [*self._specs.values(), *self._subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                catches = isinstance(task_spec, CatchingEvent)
                if not catches and not isinstance(task_spec, ThrowingEvent):
                    continue
                for event in _message_definitions(getattr(task_spec, "event_definition", None)):
                    variable = event.message_var if catches else None
                    item = MessageEvent(str(event.name), catches, str(task_spec.bpmn_id), str(spec.file or ""),
                                        str(variable) if variable else None)
                    found.setdefault((item.file, item.element, item.name, catches), item)
        return sorted(found.values(), key=lambda m: (m.file, m.element, m.name, m.catches))


def _message_definitions(event: Any) -> list[MessageEventDefinition]:
    if isinstance(event, MultipleEventDefinition):
        return [e for e in event.event_definitions if isinstance(e, MessageEventDefinition)]
    return [event] if isinstance(event, MessageEventDefinition) else []
