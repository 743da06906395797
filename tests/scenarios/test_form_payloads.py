"""The demo package (``demo.forms`` and each process's module) has valid form data for every user task of every
shipped bundle (the scenarios and the demo use it), and each payload passes the task's own form schema, rendered
for a partnership."""
from __future__ import annotations

from lxml import etree

from demo import BUILDERS, form_data
from engine.bundles import forms
from engine.bundles.parsing import read_bundle_dir
from engine.store.models import DEFAULT_LEARNING_THEMES

from .conftest import SHIPPED, WORKFLOWS
from .scenarios_kit import PEOPLE

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CONTEXT = {"agencies": [{"key": k, "name": k.title()} for k in PEOPLE.agencies], "agency_keys": PEOPLE.agencies,
           "agency_names": [k.title() for k in PEOPLE.agencies],
           "users": [{"username": u, "full_name": u, "roles": [], "agency": None}
                     for u in ["cora", "chad", *PEOPLE.leads.values()]],
           "usernames": ["cora", "chad", *PEOPLE.leads.values()],
           "user_names": ["cora", "chad", *PEOPLE.leads.values()]}
# the pickers of people (engine.people.accounts.form_context): every test user may be meant, as the builders choose
CONTEXT.update({name: CONTEXT["usernames"] for name in ("case_workers", "agency_staff", "task_people")})
CONTEXT.update({name: CONTEXT["user_names"] for name in ("case_worker_names", "agency_staff_names",
                                                         "task_people_names")})
CONTEXT.update({"role_usernames": {r: CONTEXT["usernames"] for r in ("coordinator", "chair", "reviewer", "partner")},
                "role_user_names": {r: CONTEXT["user_names"] for r in ("coordinator", "chair", "reviewer", "partner")}})
CONTEXT.update({"learning_themes": [k for k, _ in DEFAULT_LEARNING_THEMES],  # the coordinators' list, as seeded
                "learning_theme_names": [n for _, n in DEFAULT_LEARNING_THEMES]})


def user_tasks():
    for key in SHIPPED:
        files = read_bundle_dir(WORKFLOWS / key)
        for name, text in files.items():
            if name.endswith(".bpmn"):
                root = etree.fromstring(text.encode())
                for task in root.iter(f"{{{BPMN}}}userTask"):
                    props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF}}}property")}
                    yield key, task.get("id"), files[props["formJsonSchemaFilename"]]


def test_every_user_task_has_valid_demo_form_data():
    seen = set()
    for key, name, schema_text in user_tasks():
        seen.add((key, name))
        data = {"agencies_involved": PEOPLE.agencies, "agencies_taking_part": PEOPLE.agencies,
                "sample_refs": ["CA-101", "CA-102"], "recommended_review_type": "SCR", "subgroup_view": "SCR",
                "allowed_review_types": ["SCR", "MAR", "PR", "LLR", "AAR", "NONE"], "review_type": "SCR"}
        schema = forms.render_schema(schema_text, {**data, **CONTEXT})
        payload = form_data(key, name, data, PEOPLE, "2027-01-11")
        assert forms.submission_problems(schema, payload) == [], (key, name)
    assert seen == set(BUILDERS), set(BUILDERS) ^ seen
