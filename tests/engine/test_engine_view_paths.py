"""Data views (``engine.views.paths``): reading a ``shows`` value and applying it to case data."""
from __future__ import annotations

import pytest

from engine.views.paths import ViewError, agency_of, merge, parse_shows, project

CASE = {
    "pseudonym": "Child A",
    "referral": {"grounds": "G", "family": {"mother": "M", "father": "F"}},
    "imrs": [{"agency": "police", "summary": "P", "detail": "PD"},
             {"agency": {"key": "csc"}, "summary": "C", "detail": "CD"},
             {"summary": "no agency"}],
    "returns": {"police": {"rating": "green"}, "csc": {"rating": "red"}, "health": {"rating": "amber"}},
    "count": 3,
}


@pytest.mark.parametrize("text, paths", [
    ("", ()), (None, ()), (" , ,", ()),
    ("a", (("a",),)),
    ("a, b.c", (("a",), ("b", "c"))),
    ("imrs.*.summary", (("imrs", "*", "summary"),)),
    ("a, a", (("a",),)),
    ("returns.csc.rating, x.0", (("returns", "csc", "rating"), ("x", "0"))),
    ("a . b", (("a", "b"),)),
])
def test_a_shows_value_is_read_as_paths(text, paths):
    assert parse_shows(text) == paths


@pytest.mark.parametrize("text", ["*", "*.a", "1a", "a..b", "a.b c", "a.$x", "a.b.", ".a", "a['b']",
                                  "a." + ".".join(["b"] * 8), ",".join(f"v{i}" for i in range(201))])
def test_a_malformed_shows_value_is_refused(text):
    with pytest.raises(ViewError):
        parse_shows(text)


def test_what_a_view_does_not_name_it_does_not_show():
    assert project(CASE, parse_shows("")) == {}
    assert project(CASE, parse_shows("unknown, pseudonym.x")) == {}
    assert project(CASE, parse_shows("pseudonym")) == {"pseudonym": "Child A"}


def test_dotted_paths_keep_the_shape_and_leave_the_rest():
    shown = project(CASE, parse_shows("referral.family.mother, count"))
    assert shown == {"referral": {"family": {"mother": "M"}}, "count": 3}


def test_a_wildcard_takes_every_item_of_a_list_or_a_map():
    assert project(CASE, parse_shows("imrs.*.summary")) == {
        "imrs": [{"summary": "P"}, {"summary": "C"}, {"summary": "no agency"}]}
    assert project(CASE, parse_shows("returns.*.rating")) == {
        "returns": {"police": {"rating": "green"}, "csc": {"rating": "red"}, "health": {"rating": "amber"}}}


def test_a_shorter_path_covers_a_longer_one_in_either_order():
    for text in ("referral, referral.grounds", "referral.grounds, referral"):
        assert project(CASE, parse_shows(text)) == {"referral": CASE["referral"]}


def test_a_wildcard_and_a_named_key_join():
    shown = project(CASE, parse_shows("returns.*.rating, returns.csc"))
    assert shown["returns"]["csc"] == {"rating": "red"}


def test_an_agency_task_keeps_only_its_own_agencys_multi_instance_answers():
    own = {"imrs", "returns"}
    assert project(CASE, parse_shows("imrs"), agency="police", own_agency_only=own) == {
        "imrs": [{"agency": "police", "summary": "P", "detail": "PD"}]}
    assert project(CASE, parse_shows("imrs.*.summary"), agency="csc", own_agency_only=own) == {
        "imrs": [{"summary": "C"}]}
    assert project(CASE, parse_shows("returns.*"), agency="health", own_agency_only=own) == {
        "returns": {"health": {"rating": "amber"}}}
    assert project(CASE, parse_shows("imrs"), agency="education", own_agency_only=own) == {"imrs": []}


def test_another_agencys_answer_is_shown_only_when_the_view_names_it():
    shown = project(CASE, parse_shows("returns.csc"), agency="health", own_agency_only={"returns"})
    assert shown == {"returns": {"csc": {"rating": "red"}}}


def test_without_an_agency_nothing_is_narrowed():
    assert project(CASE, parse_shows("imrs"), own_agency_only={"imrs"}) == {"imrs": CASE["imrs"]}


def test_the_projection_is_a_copy_of_the_shape_not_of_the_case():
    shown = project(CASE, parse_shows("referral.family"))
    assert "grounds" not in shown["referral"]
    assert CASE["referral"]["grounds"] == "G"


@pytest.mark.parametrize("item, agency", [({"agency": "police"}, "police"), ({"agency": {"key": "csc"}}, "csc"),
                                          ({"agency": 3}, None), ("police", None), ({}, None)])
def test_the_agency_of_an_item(item, agency):
    assert agency_of(item) == agency


def test_views_merge_map_by_map_and_later_values_stand():
    view = merge({"a": {"x": 1}, "b": 1}, {"a": {"y": 2}, "b": 2, "c": [1]})
    assert view == {"a": {"x": 1, "y": 2}, "b": 2, "c": [1]}
