"""The learning themes the coordinators keep (``engine.reports.themes``): added with a key made from the name,
renamed, retired and restored, moved up and down; each change audited, refused to anyone else, and what the forms
offer (``learning_themes`` in the forms' context) follows it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.bundles import forms
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.people import accounts
from engine.reports import themes
from engine.store.db import transaction
from engine.store.models import DEFAULT_LEARNING_THEMES, AuditEvent
from tests.conftest import REPO

from .learning_kit import actor

DEFAULT_KEYS = [key for key, _ in DEFAULT_LEARNING_THEMES]
LEARNING_FORMS = ["scr/record-learning-schema.json", "cdop/panel-review-schema.json",
                  "case_audit/audit-meeting-schema.json", "section11/challenge-event-schema.json"]


def offered(factory):
    with transaction(factory) as s:
        context = accounts.form_context(s)
    return context["learning_themes"], context["learning_theme_names"]


def change(factory, act, *args, who="cora", now=None):
    with transaction(factory) as s:
        return act(s, *args, actor=actor(who), now=now)


def test_the_forms_offer_the_default_themes_in_order(factory, partnership):
    keys, names = offered(factory)
    assert keys == DEFAULT_KEYS and names == [name for _, name in DEFAULT_LEARNING_THEMES]


def test_a_theme_added_gets_a_key_made_from_its_name_at_the_end(factory, partnership, now):
    added = change(factory, themes.add_theme, "  Online   harm ", now=now)
    assert (added.key, added.name, added.retired) == ("online_harm", "Online harm", False)
    again = change(factory, themes.add_theme, "Online harm!", now=now)  # another name, the same key made
    assert again.key == "online_harm_2"
    keys, names = offered(factory)
    assert keys[-2:] == ["online_harm", "online_harm_2"] and names[-2:] == ["Online harm", "Online harm!"]


@pytest.mark.parametrize("name, message", [
    ("", "Enter the theme's name"), ("   ", "Enter the theme's name"), ("x" * 121, "120 characters or fewer"),
    ("!!!", "letters or digits"), ("neglect", "There is already a theme called Neglect"),
])
def test_a_theme_needs_a_new_name(factory, partnership, now, name, message):
    with pytest.raises(InvalidData) as raised:
        change(factory, themes.add_theme, name, now=now)
    assert message in raised.value.details[0]["message"] and raised.value.details[0]["field"] == "name"
    assert offered(factory)[0] == DEFAULT_KEYS


def test_renaming_keeps_the_key_and_refuses_another_themes_name(factory, partnership, now):
    renamed = change(factory, themes.rename_theme, "neglect", "Neglect and poverty", now=now)
    assert renamed.key == "neglect" and offered(factory)[1][0] == "Neglect and poverty"
    with pytest.raises(InvalidData):
        change(factory, themes.rename_theme, "neglect", "domestic ABUSE", now=now)
    assert change(factory, themes.rename_theme, "neglect", "NEGLECT AND POVERTY", now=now).name == "NEGLECT AND POVERTY"
    with pytest.raises(NotFound):
        change(factory, themes.rename_theme, "no_such_theme", "Anything", now=now)


def test_a_retired_theme_leaves_the_forms_and_can_be_restored_at_the_end(factory, partnership, now):
    change(factory, themes.retire_theme, "safe_sleep", now=now)
    keys, names = offered(factory)
    assert "safe_sleep" not in keys and "Safe sleep" not in names
    with pytest.raises(Conflict):
        change(factory, themes.retire_theme, "safe_sleep", now=now)
    with pytest.raises(InvalidData, match="theme"):  # its name is still taken: restore it instead
        change(factory, themes.add_theme, "Safe sleep", now=now)
    with transaction(factory) as s:
        listed = themes.all_themes(s)
    assert listed[-1].key == "safe_sleep" and listed[-1].retired and listed[-1].retired_at == now
    change(factory, themes.restore_theme, "safe_sleep", now=now)
    assert offered(factory)[0][-1] == "safe_sleep"
    with pytest.raises(Conflict):
        change(factory, themes.restore_theme, "safe_sleep", now=now)


def test_moving_a_theme_up_and_down(factory, partnership, now):
    change(factory, themes.move_theme, "domestic_abuse", "up", now=now)
    assert offered(factory)[0][:3] == ["domestic_abuse", "neglect", "parental_mental_health"]
    change(factory, themes.move_theme, "domestic_abuse", "up", now=now)  # at the top already: no change
    change(factory, themes.move_theme, "neglect", "down", now=now)
    assert offered(factory)[0][:3] == ["domestic_abuse", "parental_mental_health", "neglect"]
    change(factory, themes.move_theme, "other", "down", now=now)
    assert offered(factory)[0][-1] == "other"
    with pytest.raises(InvalidData):
        change(factory, themes.move_theme, "other", "sideways", now=now)
    change(factory, themes.retire_theme, "recording", now=now)
    with pytest.raises(Conflict):
        change(factory, themes.move_theme, "recording", "up", now=now)


@pytest.mark.parametrize("who", ["chad", "scot", "pat", "lena", "adam", "dee"])
def test_only_coordinators_change_the_themes(factory, partnership, now, who):
    for act, args in ((themes.add_theme, ("Online harm",)), (themes.rename_theme, ("neglect", "Poverty")),
                      (themes.retire_theme, ("neglect",)), (themes.restore_theme, ("neglect",)),
                      (themes.move_theme, ("neglect", "down"))):
        with pytest.raises(Forbidden):
            change(factory, act, *args, who=who, now=now)
    assert offered(factory) == ([k for k, _ in DEFAULT_LEARNING_THEMES], [n for _, n in DEFAULT_LEARNING_THEMES])


def test_every_change_is_audited(factory, partnership, now):
    change(factory, themes.add_theme, "Online harm", now=now)
    change(factory, themes.rename_theme, "online_harm", "Online safety", now=now)
    change(factory, themes.move_theme, "online_harm", "up", now=now)
    change(factory, themes.retire_theme, "online_harm", now=now)
    change(factory, themes.restore_theme, "online_harm", now=now)
    with transaction(factory) as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.actor)
                           .where(AuditEvent.action.like("learning_theme.%")).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [(f"learning_theme.{a}", "cora") for a in
                                          ("added", "renamed", "moved", "retired", "restored")]


@pytest.mark.parametrize("form", LEARNING_FORMS)
def test_each_learning_form_offers_the_active_themes(factory, partnership, now, form):
    change(factory, themes.retire_theme, "safe_sleep", now=now)
    change(factory, themes.add_theme, "Online harm", now=now)
    with transaction(factory) as s:
        context = accounts.form_context(s)
    schema = forms.render_schema((REPO / "workflows" / form).read_text(), context)
    theme = next(_themes_of(schema))
    assert theme["enum"] == context["learning_themes"] and "safe_sleep" not in theme["enum"]
    assert theme["enum"][-1] == "online_harm" and theme["x-enumNames"][-1] == "Online harm"


def _themes_of(node):
    if isinstance(node, dict):
        if node.get("title") == "Theme" and "enum" in node:
            yield node
        for value in node.values():
            yield from _themes_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from _themes_of(value)


def test_the_deploy_checks_render_the_forms_with_a_sample_theme():
    text = (REPO / "workflows" / LEARNING_FORMS[0]).read_text()
    schema = forms.render_schema(text, forms.SAMPLE_CONTEXT)
    assert next(_themes_of(schema))["enum"] == ["sample"]
    assert json.dumps(schema)
