"""Every problem a deploy of these files would meet, found without deploying: the bundle's own checks (XSD, timers,
forms, references, data views, expressions under the restricted policy, lanes), process ids owned by another
process, and messages another process owns. Writes nothing."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..bundles import definitions, message_owners
from ..bundles.bpmn_xml import Problem
from ..bundles.parsing import ParsedBundle, parse_bundle
from ..errors import Conflict, InvalidData, TooLarge


def bundle_problems(session: Session, key: str, files: dict[str, str]) -> list[dict[str, Any]]:
    """``[{file, line, element, message}]``: empty when ``files`` would deploy as ``key``."""
    return parsed_with_problems(session, key, files)[1]


def parsed_with_problems(session: Session, key: str, files: dict[str, str]
                         ) -> tuple[ParsedBundle | None, list[dict[str, Any]]]:
    """The bundle as parsed (None when it does not parse) and every problem a deploy would meet."""
    key_problem = definitions.key_problem(key)
    if key_problem:
        return None, [Problem("", key_problem).as_dict()]
    try:
        parsed = parse_bundle(key, files)
    except (InvalidData, TooLarge) as exc:
        details = exc.details if isinstance(exc.details, list) else []
        return None, [_problem(d) for d in details] or [Problem("", exc.message).as_dict()]
    problems = []
    try:
        definitions.check_process_ids_owned(session, parsed)
    except Conflict as exc:
        problems.append(Problem(parsed.primary_file_name, exc.message).as_dict())
    problems += [p.as_dict() for p in message_owners.receiver_problems(session, key, parsed.message_events,
                                                                       parsed.files)]
    return parsed, problems


def _problem(detail: Any) -> dict[str, Any]:
    """A problem as the validation answer gives it: always file, line, element and message."""
    if not isinstance(detail, dict):
        return Problem("", str(detail)).as_dict()
    found = {"file": detail.get("file") or "", "line": detail.get("line"), "element": detail.get("element"),
             "message": str(detail.get("message") or "")}
    return {**found, "field": detail["field"]} if detail.get("field") else found
