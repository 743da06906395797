"""Process bundles (spiff-arena's process model layout): read a folder, validate everything in it, and turn it
into the parsed specs LIF stores once per deployed version."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidData, TooLarge
from ..registers import declaration as registers_declaration
from ..spiff.parser import BundleParser, MessageEvent, ParseError
from . import validation, view_checks
from .bpmn_xml import Problem, XmlRefused, is_dmn, owner_id, parse_xml, quote_timer_literals

BUNDLE_SUFFIXES = (".bpmn", ".dmn", ".json", ".md")
MAX_FILES = 200
MAX_BUNDLE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ParsedBundle:
    key: str
    files: dict[str, str]
    content_hash: str
    model: dict[str, Any]
    name: str
    description: str
    primary_process_id: str
    primary_file_name: str
    process_ids: list[str]
    message_starts: dict[str, str]
    spec_json: str
    message_events: tuple[MessageEvent, ...] = ()  # every message the bundle throws or catches


def read_bundle_dir(path: Path) -> dict[str, str]:
    """Every bundle file in ``path`` (not recursive), keyed by file name."""
    if not (path / "process_model.json").is_file():
        raise InvalidData(f"{path} is not a process bundle",
                          [Problem("process_model.json", "process_model.json is missing").as_dict()])
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())
            if p.is_file() and p.suffix in BUNDLE_SUFFIXES}


def content_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def parse_bundle(key: str, files: dict[str, str]) -> ParsedBundle:
    """Validate and parse a bundle; raises ``InvalidData`` listing every problem (file, line, element)."""
    if len(files) > MAX_FILES or sum(len(t) for t in files.values()) > MAX_BUNDLE_BYTES:
        raise TooLarge(f"a bundle may hold at most {MAX_FILES} files and {MAX_BUNDLE_BYTES} bytes")
    problems: list[Problem] = []
    model = _read_model(files, problems)
    parser = BundleParser()
    roots: dict[str, Any] = {}
    for filename in sorted(files):
        if filename.endswith((".bpmn", ".dmn")):
            problems.extend(_add_xml(parser, filename, files, roots))
    if not problems:
        problems.extend(_missing_model_files(model, files))
    if not problems:
        problems.extend(validation.call_activity_problems(roots, set(parser.process_ids())))
    if problems:
        raise InvalidData(f"bundle {key!r} has {len(problems)} problem(s)", [p.as_dict() for p in problems])
    process_ids = parser.process_ids()
    primary = model.get("primary_process_id") or (process_ids[0] if process_ids else "")
    for pid in process_ids:
        try:
            parser.build(pid)
        except ParseError as exc:
            problems.append(_problem_from(exc, model.get("primary_file_name", ""), roots))
    if primary not in process_ids:
        problems.append(Problem("process_model.json", f"primary_process_id {primary!r} is not an executable "
                                                      f"process in the bundle (found {process_ids})"))
    problems += [Problem("process_model.json", message, field="registers")
                 for message in registers_declaration.problems(model, set(process_ids))
                 if "which the bundle does not have" in message]  # the shape was checked with the model
    events = tuple(parser.message_events())
    problems.extend(validation.child_match_link_problems(model, {e.name for e in events if e.catches}))
    if not problems:  # views are checked against what the built processes write
        problems.extend(view_checks.view_problems(files, model, events))
    if problems:
        raise InvalidData(f"bundle {key!r} has {len(problems)} problem(s)", [p.as_dict() for p in problems])
    return ParsedBundle(
        key=key, files=dict(files), content_hash=content_hash(files), model=model,
        name=str(model.get("display_name") or key), description=str(model.get("description") or ""),
        primary_process_id=primary, primary_file_name=str(model.get("primary_file_name") or ""),
        process_ids=process_ids, message_starts=parser.message_starts(), spec_json=parser.spec_json(),
        message_events=events,
    )


def stored_message_events(files: dict[str, str]) -> tuple[MessageEvent, ...]:
    """The messages a deployed (so valid) bundle throws and catches, read again from its files: for versions
    deployed before LIF recorded them. Only the library's parser runs, none of the deploy checks."""
    parser = BundleParser()
    for filename in sorted(files):
        if filename.endswith((".bpmn", ".dmn")):
            root = parse_xml(files[filename], filename)
            dmn = filename.endswith(".dmn") or is_dmn(root)
            if not dmn:
                quote_timer_literals(root)
            parser.add_document(root, filename, dmn=dmn)
    for pid in parser.process_ids():
        parser.build(pid)
    return tuple(parser.message_events())


def _read_model(files: dict[str, str], problems: list[Problem]) -> dict[str, Any]:
    text = files.get("process_model.json")
    if text is None:
        problems.append(Problem("process_model.json", "process_model.json is missing"))
        return {}
    found = validation.json_file_problems("process_model.json", text)
    if found:
        problems.extend(found)
        return {}
    model = json.loads(text)
    if not isinstance(model, dict):
        problems.append(Problem("process_model.json", "must be a JSON object"))
        return {}
    found = validation.model_problems(model)
    problems.extend(found)
    return {} if found else model


def _missing_model_files(model: dict[str, Any], files: dict[str, str]) -> list[Problem]:
    primary_file = model.get("primary_file_name")
    if primary_file and primary_file not in files:
        return [Problem("process_model.json", f"primary_file_name {primary_file!r} is not in the bundle")]
    return []


def _add_xml(parser: BundleParser, filename: str, files: dict[str, str], roots: dict[str, Any]) -> list[Problem]:
    try:
        root = parse_xml(files[filename], filename)
    except XmlRefused as exc:
        return [exc.problem]
    roots[filename] = root
    dmn = filename.endswith(".dmn") or is_dmn(root)
    if dmn:
        found = validation.dmn_problems(root, filename)
    else:
        found = validation.bpmn_problems(root, filename, files)
        quote_timer_literals(root)
    try:
        parser.add_document(root, filename, dmn=dmn)
    except ParseError as exc:
        found.append(_problem_from(exc, filename, roots))
    except Exception as exc:  # the parser raises plain exceptions for some malformed documents
        found.append(Problem(filename, f"cannot be parsed: {exc}"))
    return found


def _problem_from(exc: ParseError, default_file: str, roots: dict[str, Any]) -> Problem:
    """The parser's error as a problem, with the line or element it leaves out found in the parsed files
    (SpiffWorkflow reads a line attribute lxml does not have, and the XSD check gives no element)."""
    filename = getattr(exc, "file_name", None) or default_file
    line = getattr(exc, "line_number", None)
    line = line if isinstance(line, int) and line > 0 else None
    element = getattr(exc, "id", None) or None
    if line is None and element is not None:
        for name, root in sorted(roots.items(), key=lambda item: item[0] != filename):
            found = root.xpath("//*[@id=$id]", id=element)
            if found:
                filename, line = name, found[0].sourceline
                break
    elif line is not None and element is None and filename in roots:
        at_line = [e for e in roots[filename].iter() if isinstance(e.tag, str) and e.sourceline == line]
        element = owner_id(at_line[0]) if at_line else None
    return Problem(filename, str(getattr(exc, "message", None) or exc), line, element)

