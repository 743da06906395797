"""Reading uploaded BPMN and DMN safely, and the deploy-time rewrite of plain ISO 8601 timer literals.

Uploads are parsed with a hardened lxml parser: no DTD, no entities, no network, a size limit. SpiffWorkflow
evaluates timer text as Python, so a plain ``P21D`` is quoted here once, at load, instead of failing at run time.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NS_PREFIX = "https://www.omg.org/spec/DMN/"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_XML_BYTES = 2 * 1024 * 1024

_HARDENED = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                            huge_tree=False, remove_comments=False)
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$",
                       re.ASCII)
_CYCLE = re.compile(r"^R\d*/\S+$", re.ASCII)
TIMER_TAGS = {f"{{{BPMN_NS}}}timeDate": "date", f"{{{BPMN_NS}}}timeDuration": "duration",
              f"{{{BPMN_NS}}}timeCycle": "cycle"}


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    element: str | None = None
    field: str | None = None  # the path of the offending value inside a JSON file, e.g. properties.code.pattern

    def as_dict(self) -> dict[str, Any]:
        found = {"file": self.file, "line": self.line, "element": self.element, "message": self.message}
        return {**found, "field": self.field} if self.field else found


class XmlRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def parse_xml(text: str | bytes, filename: str) -> etree._Element:
    """Parse untrusted XML. Raises ``XmlRefused`` with the file and line on any problem."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_XML_BYTES:
        raise XmlRefused(Problem(filename, f"file is larger than {MAX_XML_BYTES} bytes"))
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        at = min(i for i in (upper.find(b"<!DOCTYPE"), upper.find(b"<!ENTITY")) if i >= 0)
        raise XmlRefused(Problem(filename, "DOCTYPE and entity declarations are not allowed",
                                 data.count(b"\n", 0, at) + 1))
    try:
        return etree.fromstring(data, _HARDENED)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise XmlRefused(Problem(filename, f"not well-formed XML: {exc.msg}", line)) from None


def owner_id(element: etree._Element) -> str | None:
    """The id of the nearest element (itself or an ancestor) that has one."""
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def timer_literal_kind(text: str) -> str | None:
    """``duration``, ``cycle`` or ``date`` when ``text`` is a plain ISO 8601 literal; None for an expression."""
    if _DURATION.match(text):
        return "duration"
    if _CYCLE.match(text):
        return "cycle"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return "date"


def quoted_literal(text: str) -> str | None:
    """The string inside ``"..."``/``'...'`` when ``text`` is exactly one Python string literal."""
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too deep to parse is not a literal either
        return None
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def quote_timer_literals(root: etree._Element) -> None:
    """Rewrite plain ISO literals in timer elements into Python string literals, in place."""
    for tag in TIMER_TAGS:
        for element in root.iter(tag):
            text = (element.text or "").strip()
            if text and timer_literal_kind(text) is not None:
                element.text = repr(text)


def is_dmn(root: etree._Element) -> bool:
    tag = root.tag  # a parsed document's root is an element, whose tag is a str
    return isinstance(tag, str) and tag.startswith(("{" + DMN_NS_PREFIX, "{http://www.omg.org/spec/DMN/"))
