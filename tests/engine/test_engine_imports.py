"""The engine is a room of its own: no module in engine/ imports Flask, ``web`` or ``notifications``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("flask", "web", "notifications")
MODULES = sorted(ENGINE.rglob("*.py"))


def imported_names(source: str) -> set[str]:
    """Every module a source imports, anywhere in it (also inside functions), as absolute names; relative
    imports resolve against the ``engine`` package."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module or "")
            elif node.level == 1:
                base = f"engine.{node.module}" if node.module else "engine"
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names)
            else:  # from .. import x: outside the engine package
                parent = node.module or ""
                names.add(parent)
                names.update(f"{parent}.{alias.name}".lstrip(".") for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            if isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args:
            if isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
    return names


def _forbidden(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in FORBIDDEN)


def test_engine_has_modules_to_check():
    assert len(MODULES) > 20 and ENGINE.joinpath("cases", "runtime.py") in MODULES


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ENGINE)) for m in MODULES])
def test_engine_module_never_imports_flask_web_or_notifications(module):
    assert _forbidden(imported_names(module.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("source", [
    "import flask", "from flask import Flask", "import web.api", "from web import create_app",
    "from notifications import outbox", "def f():\n    import notifications.outbox", "from .. import web",
    "__import__('flask')", "importlib.import_module('web.cli')",
])
def test_import_check_catches_forbidden_imports(source):
    assert _forbidden(imported_names(source)) != []


def test_import_check_allows_engine_and_libraries():
    assert _forbidden(imported_names("from . import runtime\nimport sqlalchemy\nfrom .errors import NotFound\n"
                                     "from SpiffWorkflow.bpmn import BpmnWorkflow")) == []
