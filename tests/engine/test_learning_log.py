"""The learning log's query (``engine.reports.lessons``): what each role may read, every filter and the search, in
one statement, newest first, with the total; a lesson keeps its theme's name when the theme is renamed or retired."""
from __future__ import annotations

from datetime import date

import pytest

from engine.errors import Forbidden, NotFound
from engine.reports import lessons, themes
from engine.store.db import transaction

from .learning_kit import EVERY, NO_CASE_DATA, SEES, SHOWN_SEES, actor, seed_lessons, seed_shown_lesson

pytestmark = pytest.mark.postgres  # one SQL statement over JSON lists, dates and a window: on both databases


@pytest.fixture
def seeded(factory, partnership):
    return seed_lessons(factory, partnership)


def listed(factory, who, **filters):
    with transaction(factory) as s:
        page = lessons.learning_log(s, actor=actor(who), now=None, limit=filters.pop("limit", 50),
                                    offset=filters.pop("offset", 0), **filters)
    return page


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_reader_sees_the_lessons_of_their_agency_and_of_their_cases(factory, seeded, who):
    page = listed(factory, who)
    assert seeded.names(e.id for e in page.items) == SEES[who] and page.total == len(SEES[who])
    with transaction(factory) as s:
        for name, lesson_id in seeded.ids.items():
            if name in SEES[who]:
                assert lessons.lesson(s, lesson_id, actor=actor(who)).id == lesson_id
            else:
                with pytest.raises(NotFound):
                    lessons.lesson(s, lesson_id, actor=actor(who))


@pytest.mark.parametrize("who", sorted(SHOWN_SEES))
def test_taking_part_in_a_task_whose_view_shows_the_lessons_reads_them(factory, partnership, who):
    lesson_id = seed_shown_lesson(factory, partnership)
    assert (lesson_id in {e.id for e in listed(factory, who).items}) == SHOWN_SEES[who]
    with transaction(factory) as s:
        if SHOWN_SEES[who]:
            assert lessons.lesson(s, lesson_id, actor=actor(who)).id == lesson_id
        else:
            with pytest.raises(NotFound):
                lessons.lesson(s, lesson_id, actor=actor(who))


@pytest.mark.parametrize("who", NO_CASE_DATA)
def test_administrators_and_designers_read_no_lesson(factory, seeded, who):
    with pytest.raises(Forbidden):
        listed(factory, who)
    with transaction(factory) as s, pytest.raises(Forbidden):
        lessons.lesson(s, seeded.ids["L1"], actor=actor(who))


def test_the_newest_come_first_with_their_words_and_theme_names(factory, seeded):
    items = listed(factory, "cora").items
    assert [seeded.names([e.id]).pop() for e in items] == ["L4", "L3", "L2", "L1"]
    first = items[-1]
    assert (first.theme, first.theme_name, first.business_key, first.process_key, first.agencies) == (
        "neglect", "Neglect", "LL-POLICE", "lesson_log", ("csc",))
    assert first.instance_id == seeded.cases["LL-POLICE"]


@pytest.mark.parametrize("filters, expected", [
    ({"theme": "safe_sleep"}, {"L3"}),
    ({"theme": "exploitation"}, set()),
    ({"agency": "health"}, {"L2", "L3", "L4"}),
    ({"agency": "csc"}, {"L1"}),
    ({"process_key": "lesson_audit"}, {"L4"}),
    ({"process_key": "lesson_log"}, {"L1", "L2", "L3"}),
    ({"recorded_from": date(2026, 6, 15)}, {"L2", "L3", "L4"}),  # 23:30 UTC on 14 June is 15 June in London
    ({"recorded_to": date(2026, 6, 14)}, {"L1"}),
    ({"recorded_from": date(2026, 6, 15), "recorded_to": date(2026, 6, 15)}, {"L2", "L3"}),
    ({"recorded_from": date(2026, 11, 30), "recorded_to": date(2026, 11, 30)}, {"L4"}),
    ({"q": "SCHOOL"}, {"L2"}),  # the lesson, any case of letters
    ({"q": "chronology"}, {"L1"}),  # the good practice
    ({"q": "ll-health"}, {"L4"}),  # the case's business key
    ({"q": "safe sleep"}, {"L3"}),  # the theme's name
    ({"q": "100%"}, {"L3"}),  # a wildcard is a character
    ({"q": "%"}, {"L3"}),
    ({"q": "_"}, set()),
    ({"q": "  "}, EVERY),
    ({"agency": "health", "process_key": "lesson_log", "q": "advice"}, {"L3"}),
])
def test_every_filter_and_the_search(factory, seeded, filters, expected):
    assert seeded.names(e.id for e in listed(factory, "cora", **filters).items) == expected


def test_filters_narrow_what_the_reader_may_see_never_widen_it(factory, seeded):
    assert seeded.names(e.id for e in listed(factory, "pat", agency="health").items) == {"L3"}
    assert seeded.names(e.id for e in listed(factory, "pat", process_key="lesson_audit").items) == set()
    assert seeded.names(e.id for e in listed(factory, "lena", q="school").items) == set()


def test_pages_count_every_match(factory, seeded):
    first = listed(factory, "cora", limit=1)
    assert len(first.items) == 1 and first.total == 4
    second = listed(factory, "cora", limit=2, offset=2)
    assert seeded.names(e.id for e in second.items) == {"L1", "L2"} and second.total == 4
    beyond = listed(factory, "cora", limit=2, offset=10)
    assert beyond.items == () and beyond.total == 4
    assert listed(factory, "cora", theme="exploitation").total == 0


def test_a_lesson_keeps_its_theme_renamed_or_retired(factory, seeded, now):
    with transaction(factory) as s:
        themes.rename_theme(s, "neglect", "Neglect and poverty", actor=actor("cora"), now=now)
        themes.retire_theme(s, "safe_sleep", actor=actor("cora"), now=now)
    names = {e.theme: e.theme_name for e in listed(factory, "cora").items}
    assert names["neglect"] == "Neglect and poverty" and names["safe_sleep"] == "Safe sleep"
    assert seeded.names(e.id for e in listed(factory, "cora", theme="safe_sleep").items) == {"L3"}
    assert seeded.names(e.id for e in listed(factory, "cora", q="poverty").items) == {"L1"}


def test_the_choices_hold_every_theme_agency_and_recording_process(factory, seeded, now):
    with transaction(factory) as s:
        themes.retire_theme(s, "safe_sleep", actor=actor("cora"), now=now)
        known = lessons.choices(s)
    assert known.themes["safe_sleep"] == "Safe sleep" and known.retired_themes == {"safe_sleep"}
    assert known.agencies == {"csc": "Children's Social Care", "health": "Health Trust", "police": "Police"}
    assert known.processes == {"lesson_audit": "Lesson audit", "lesson_log": "Lesson log review"}


def test_a_page_of_the_log_is_one_sql_statement(factory, seeded, db):
    from sqlalchemy import event
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with transaction(factory) as s:
        s.connection()  # the transaction's own statements are not the query's
        event.listen(db, "before_cursor_execute", count)
        try:
            page = lessons.learning_log(s, actor=actor("pat"), now=None, q="advice", agency="health", limit=10,
                                        offset=0)
        finally:
            event.remove(db, "before_cursor_execute", count)
    assert len(page.items) == 1 and len(statements) == 1, statements
