"""Templates in a bundle's instructions and form schemas have the same limits as scripts (issue 9, item 4).

Reproduction: three nested ``range(500)`` loops in a task's instructions made its page take 6 s;
``{{ ('x' * 400000000)|length }}`` allocated 400 MB on every render.

The class: every template a bundle supplies (task instructions, form JSON schemas and UI schemas, rendered when
a task is shown or completed, and at deploy with sample data), with loops that run long and expressions that
allocate without bound. Each render ends within the template limit plus a margin, off the server's process,
and the server's memory does not move. Instructions that fail fall back to the designer's words as written;
a form that cannot be prepared is a clear 422, never a 500.
"""
from __future__ import annotations

import json
import time

import pytest

from engine.bundles import forms
from engine.sandbox import templates

from .sandbox_kit import PROCESS, STALL_S, app, bundle, deploy, pinging, rss_mb, server, start  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timing  # measured on the wall clock: run alone, after the parallel suite (Makefile)

MARGIN_S = 1.0
LOOPS = ("{% for a in range(500) %}{% for b in range(500) %}{% for c in range(500) %}x"
         "{% endfor %}{% endfor %}{% endfor %}")
RUNAWAY_TEMPLATES = {
    "nested_loops": LOOPS,
    "repeat": "{{ ('x' * 400000000)|length }}",
    "repeat_list": "{{ ([1] * 100000000)|length }}",
    "center_filter": "{{ 'x'|center(1000000000)|length }}",
    "indent_filter": "{{ ('x ' * 100000)|wordwrap(2)|indent(10000)|length }}",
    "format_width": "{{ '%0999999999d'|format(1)|length }}",
    "recursion": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "json_bomb": "{{ '[],' * 400000 }}",  # 1.2 MB of text the server would parse into 400,000 lists
}


@pytest.mark.parametrize("source", RUNAWAY_TEMPLATES.values(), ids=RUNAWAY_TEMPLATES.keys())
def test_runaway_template_is_stopped_within_the_limit_without_growing_the_server(source):
    before = rss_mb()
    started = time.monotonic()
    with pytest.raises(templates.TemplateError) as raised:
        templates.render(source, {"n": 3}, timeout_s=0.5)
    assert time.monotonic() - started < 0.5 + MARGIN_S
    assert rss_mb() - before < 64
    assert str(raised.value)


@pytest.mark.parametrize("source", RUNAWAY_TEMPLATES.values(), ids=RUNAWAY_TEMPLATES.keys())
def test_runaway_form_schema_is_a_form_error(source):
    text = json.dumps({"type": "object", "title": source, "properties": {}})
    started = time.monotonic()
    with pytest.raises(forms.FormError, match="template error"):
        forms.render_schema(text, {}, strict=False)
    assert time.monotonic() - started < templates.TEMPLATE_TIMEOUT_S + MARGIN_S


def test_ordinary_templates_render_as_before():
    assert templates.render("Summarise **{{ case_ref }}**.", {"case_ref": "SCR-1"}) == "Summarise **SCR-1**."
    assert templates.render("{% for a in agencies %}{{ a }} {% endfor %}", {"agencies": ["x", "y"]}) == "x y "
    assert templates.render("No template here {", {}) == "No template here {"


def test_task_page_with_runaway_instructions_answers_in_time_and_holds_up_nothing(server):
    deploy(server, instructions=LOOPS)
    coordinator = server.token("cora", "coordinator-pass")
    _, status, body = start(server, coordinator)
    assert status == 201 and body["status"] == "active", (body["status"], body.get("error"))
    (task,) = [t for t in body["tasks"] if t["state"] == "ready"]
    before = rss_mb()
    with pinging(server, coordinator) as waits:
        started = time.monotonic()
        status, detail = server.call("GET", f"/api/v1/tasks/{task['id']}", coordinator)
        elapsed = time.monotonic() - started
    assert status == 200, detail
    assert detail["instructions"] == LOOPS  # the designer's words as written, not a 125-million-character page
    assert elapsed < templates.TEMPLATE_TIMEOUT_S + MARGIN_S
    assert len(waits) >= 5 and max(waits) < STALL_S, sorted(waits)[-3:]
    assert rss_mb() - before < 256


def test_runaway_template_cannot_be_deployed_in_a_form_schema(server):
    files = bundle()
    files["runaway.bpmn"] = files["runaway.bpmn"].replace(
        '<bpmn:userTask id="no" name="No">',
        '<bpmn:userTask id="no" name="No"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formJsonSchemaFilename" value="no-schema.json"/>'
        '</spiffworkflow:properties></bpmn:extensionElements>')
    files["no-schema.json"] = json.dumps({"type": "object", "title": RUNAWAY_TEMPLATES["repeat"]})
    designer = server.token("dee", "designer-pass")
    started = time.monotonic()
    status, body = server.call("POST", "/api/v1/process-definitions", designer, {"key": PROCESS, "files": files})
    assert status == 422, body
    assert "no-schema.json" in json.dumps(body["error"]["details"])
    assert time.monotonic() - started < templates.TEMPLATE_TIMEOUT_S + MARGIN_S + 1
