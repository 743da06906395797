"""The architecture, checked from the source: every import (also one inside a function) runs downwards.

- ``engine`` never imports Flask, ``web``, ``notifications`` or ``demo``; ``notifications`` never imports ``web``.
- Inside ``engine``, each room imports only the rooms below it (``ROOMS``), so the folder tree is the
  architecture: ``work`` and ``reads`` on top, the base modules (``engine/*.py``) at the bottom.
- The engine's modules import each other without a cycle, and only at the top of a module: an import inside a
  function is how a cycle hides (``create_instance`` imported late by ``messages`` and ``recurring`` did).
- SpiffWorkflow is fenced in ``engine/spiff/``: no other module of ``engine``, ``web``, ``notifications`` or
  ``demo`` imports it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))
FORBIDDEN = {"engine": ("flask", "web", "notifications", "demo"), "notifications": ("web", "demo")}
BASE = "base"  # the modules directly in engine/: config, clock, errors, events, records, states, text, timings,
#   workdays
ROOMS: dict[str, set[str]] = {  # room: the rooms it may import (besides itself and the base)
    BASE: set(),
    "store": set(),
    "sandbox": set(),
    "views": set(),
    "people": {"store"},
    "registers": {"store"},
    "spiff": {"sandbox"},
    "bundles": {"spiff", "sandbox", "store", "views", "registers"},
    "cases": {"bundles", "spiff", "sandbox", "store", "views", "registers"},
    "reads": {"cases", "bundles", "store", "people", "views", "registers"},
    "documents": {"reads", "bundles", "store"},
    "work": {"reads", "documents", "cases", "bundles", "spiff", "sandbox", "store", "people", "views", "registers"},
    "reports": {"reads", "cases", "bundles", "store", "people", "views", "registers"},
    "retention": {"work", "documents", "reads", "cases", "bundles", "spiff", "sandbox", "store", "people", "views",
                  "registers", "reports"},
    "designer": {"work", "documents", "reads", "cases", "bundles", "spiff", "sandbox", "store", "people", "views",
                 "registers"},
    "backup": {"documents", "store"},  # lif backup / restore: the database and the documents' bytes
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str = "engine.x", is_package: bool = False) -> set[str]:
    """Every module a source imports, anywhere in it (also inside functions), as absolute names; relative
    imports resolve against ``module``. ``from p import n`` yields both ``p`` and ``p.n``."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}".lstrip(".") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and (
                getattr(node.func, "id", None) == "__import__" or getattr(node.func, "attr", None) == "import_module"):
            names.add(str(node.args[0].value))
    return names


def room_of(name: str) -> str | None:
    """The engine room a module belongs to; None outside the engine."""
    parts = name.split(".")
    if parts[0] != "engine" or len(parts) == 1:
        return None
    return parts[1] if (ENGINE / parts[1]).is_dir() else BASE


def _imports_of(path: Path) -> set[str]:
    return imported_names(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def _forbidden(names: set[str], top: str = "engine") -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in FORBIDDEN[top])


def _upward(path: Path) -> list[str]:
    mine = room_of(module_name(path)) or BASE  # engine/__init__.py is part of the base
    allowed = ROOMS[mine] | {mine, BASE}
    return sorted(n for n in _imports_of(path) if room_of(n) not in (None, *allowed))


def test_every_engine_module_belongs_to_a_known_room():
    assert len(MODULES) > 40 and ENGINE.joinpath("cases", "runtime.py") in MODULES
    assert {room_of(module_name(m)) or BASE for m in MODULES} == set(ROOMS)


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ENGINE)) for m in MODULES])
def test_engine_module_never_imports_flask_web_notifications_or_demo(module):
    assert _forbidden(_imports_of(module)) == []


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ENGINE)) for m in MODULES])
def test_engine_module_imports_only_rooms_below_its_own(module):
    assert _upward(module) == []


NOTIFICATIONS = sorted((ROOT / "notifications").rglob("*.py"))


@pytest.mark.parametrize("module", NOTIFICATIONS, ids=[m.name for m in NOTIFICATIONS])
def test_notifications_never_import_web(module):
    assert _forbidden(_imports_of(module), "notifications") == []


@pytest.mark.parametrize("source", [
    "import flask", "from flask import Flask", "import web.api", "from web import create_app",
    "from notifications import outbox", "def f():\n    import notifications.outbox", "from ... import web",
    "__import__('flask')", "importlib.import_module('web.cli')", "from demo import story",
])
def test_import_check_catches_forbidden_imports(source):
    assert _forbidden(imported_names(source, "engine.cases.runtime")) != []


@pytest.mark.parametrize("room, source", [
    ("store", "from ..cases import runtime"), ("spiff", "from ..bundles.parsing import parse_bundle"),
    ("cases", "def f():\n    from ..work import tasks"), (BASE, "from .store import db"),
    ("reads", "from engine.work.tasks import complete_task"),
])
def test_room_check_catches_upward_imports(room, source, tmp_path):
    folder = ENGINE if room == BASE else ENGINE / room
    names = imported_names(source, module_name(folder / "probe.py"))
    assert any(room_of(n) not in (None, *(ROOMS[room] | {room, BASE})) for n in names)


def test_import_check_allows_engine_and_libraries():
    assert _forbidden(imported_names("from . import runtime\nimport sqlalchemy\nfrom ..errors import NotFound\n"
                                     "from SpiffWorkflow.bpmn import BpmnWorkflow", "engine.cases.step")) == []


def import_graph() -> dict[str, set[str]]:
    """Each engine module and the engine modules it imports, anywhere in it (packages count: importing
    ``engine.cases.step`` runs ``engine/cases/__init__.py`` first)."""
    names = {module_name(m) for m in MODULES}
    return {module_name(m): {n for n in _imports_of(m) if n in names} - {module_name(m)} for m in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path that ends where it starts, or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str]:
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if target in path:
                return path[path.index(target):] + [target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        done.add(node)
        return []

    for start in sorted(graph):
        found = [] if start in done else visit(start)
        if found:
            return found
    return []


def late_engine_imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """The engine modules a source imports inside a function body (libraries may load late; engine modules not)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names |= imported_names(ast.unparse(node), module, is_package)
    return {n for n in names if n.split(".")[0] == "engine"}


def test_engine_import_graph_has_no_cycle():
    graph = import_graph()
    assert "engine.cases.runtime" in graph["engine.cases.step"]  # the graph holds real edges
    assert "engine.cases.step" in graph["engine.work.tasks"]
    assert find_cycle(graph) == []


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ENGINE)) for m in MODULES])
def test_engine_module_imports_engine_modules_only_at_the_top(module):
    source = module.read_text(encoding="utf-8")
    assert late_engine_imports(source, module_name(module), module.name == "__init__.py") == set()


def test_cycle_check_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    graph = import_graph()
    graph["engine.cases.launch"].add("engine.cases.step")  # launching that routed messages again
    assert find_cycle(graph)[0] in {"engine.cases.launch", "engine.cases.step"}


@pytest.mark.parametrize("source, late", [
    ("def f():\n    from .instances import create_instance", True),
    ("class C:\n    def m(self):\n        from . import runtime", True),
    ("def f():\n    import engine.cases.due", True),
    ("def f():\n    importlib.import_module('engine.work.tasks')", True),
    ("from .instances import create_instance\ndef f():\n    return create_instance", False),
    ("def f():\n    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition", False),
])
def test_late_import_check_catches_engine_imports_inside_functions(source, late):
    assert bool(late_engine_imports(source, "engine.cases.messages")) is late
FENCE = ENGINE / "spiff"
OUTSIDE_THE_FENCE = sorted(m for top in ("engine", "web", "notifications", "demo") for m in (ROOT / top).rglob("*.py")
                           if FENCE not in m.parents)


def _library_imports(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] == "SpiffWorkflow")


@pytest.mark.parametrize("module", OUTSIDE_THE_FENCE, ids=[str(m.relative_to(ROOT)) for m in OUTSIDE_THE_FENCE])
def test_module_outside_engine_spiff_never_imports_spiffworkflow(module):
    assert _library_imports(_imports_of(module)) == []


def test_fence_check_covers_every_package_and_catches_a_library_import():
    assert {m.relative_to(ROOT).parts[0] for m in OUTSIDE_THE_FENCE} == {"engine", "web", "notifications", "demo"}
    assert not any(FENCE in m.parents for m in OUTSIDE_THE_FENCE)
    for source in ("import SpiffWorkflow", "from SpiffWorkflow.bpmn import BpmnWorkflow",
                   "def f():\n    from SpiffWorkflow.util.task import TaskState"):
        assert _library_imports(imported_names(source, "engine.bundles.parsing")) != []
