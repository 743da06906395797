"""One table from the engine's errors to HTTP statuses (``web.errors``), answered alike by the API and the pages;
and the API's modules free of the import cycle through their package."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

from engine import errors
from web import errors as web_errors
from web.errors import status_for

API = Path(web_errors.__file__).parent / "api"


def test_every_engine_error_has_a_status_of_its_own_in_the_table():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.LifError)]
    unmapped = [c.__name__ for c in classes
                if c is not errors.LifError and not any(k in web_errors.STATUS for k in c.__mro__)]
    assert unmapped == []


def test_a_narrower_error_answers_as_its_parent():
    assert status_for(errors.DuplicateBusinessKey("taken")) == status_for(errors.Conflict("changed")) == 409
    assert status_for(errors.RateLimited("slow down", retry_after=3)) == 429
    assert status_for(errors.LifError("unnamed")) == 400


def test_the_api_and_the_pages_answer_a_missing_task_with_the_same_status(as_user, client, partnership):
    token = client.post("/api/v1/auth/token", json={"username": "pat", "password": "reviewer-pass"}).get_json()["token"]
    api = client.get("/api/v1/tasks/no-such-task", headers={"Authorization": f"Bearer {token}"})
    page = as_user("pat").get("/tasks/no-such-task")
    assert api.status_code == page.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found" and "Page not found" in page.get_data(as_text=True)


def test_no_api_module_imports_its_own_package():
    """``from . import bp`` in a module the package imports at its bottom made a cycle through all ten."""
    importers = []
    for path in sorted(API.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
                submodules = {p.stem for p in API.glob("*.py")}
                importers += [f"{path.name}: {a.name}" for a in node.names if a.name not in submodules]
    assert importers == []
