"""The test that matters for "need to know" (issue 11): for each shipped process, police and children's social care
answer their agency-bound tasks with a marker in every free-text field (and comment on them, and save drafts),
the case runs on past those tasks, the scheduler sends its reminders, and then each agency's user, an
administrator and a designer fetch everything they can reach: the JSON API, the pages, the e-mails addressed to
them (and, once documents land, the documents they can download). No marker of another agency may appear
anywhere. The coordinator, who sees whole cases, must find every marked task's markers, so the test can fail.

A failure names each leaked field as process.task.field (agency) and where it was read, which tells the bundle's
author which task view shares too much."""
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import Document, HumanTask, ProcessInstance

from .crawl import Crawler, Fetched
from .markers import Markers
from .views_kit import MARKED, STORIES

# Each viewer, and the agencies whose markers must never reach them.
VIEWERS = {"pat": {"csc"}, "sam": {"police"}, "adam": set(MARKED), "dee": set(MARKED)}
SEARCHES_PER_AGENCY = 5  # ``q`` matches the case header only; a few markers of each agency show it


@pytest.mark.parametrize("process_key", [pytest.param(key, marks=pytest.mark.slow)
                                         for key in STORIES])  # whole processes, ~3 s each: make test-ci
def test_no_agency_reads_another_agencys_answers(run, app, factory, process_key):
    STORIES[process_key](run)
    run.notices_later(days=40)  # reminders, overdue notices and escalations for whatever is still open
    for agency in MARKED:
        assert run.markers.of(agency), f"{process_key}: no {agency} task was answered"
    assert run.unexercised() == {}, "free-text fields that no answer carried (give the scenario rows to fill)"

    task_ids, instance_ids = _every_id(factory)
    searches = [t for agency in MARKED for t in run.markers.of(agency)[:SEARCHES_PER_AGENCY]]
    crawl = dict(task_ids=task_ids, instance_ids=instance_ids, process_keys=STORIES, searches=searches,
                 documents=document_ids(factory))

    seen_by_coordinator = Crawler(app, factory, "cora").everything(**crawl)
    _coordinator_sees_every_marked_task(run.markers, seen_by_coordinator)
    leaks = {viewer: _leaks(run.markers, Crawler(app, factory, viewer).everything(**crawl), forbidden)
             for viewer, forbidden in VIEWERS.items()}
    if any(leaks.values()):
        pytest.fail(_report(process_key, run.markers, leaks), pytrace=False)


def _every_id(factory) -> tuple[list[str], list[str]]:
    with transaction(factory) as s:
        return list(s.scalars(select(HumanTask.id))), list(s.scalars(select(ProcessInstance.id)))


def document_ids(factory) -> list[str]:
    """Every stored document, for each viewer to try to download (``GET /files/<id>``); the driver uploads one
    for each file field answered, holding a marker when an agency answers it (``views_kit._attach_documents``)."""
    with transaction(factory) as s:
        return list(s.scalars(select(Document.id)))


def _leaks(markers: Markers, fetched: list[Fetched], forbidden: set[str]) -> dict[str, list[str]]:
    """token -> where it was read."""
    found: dict[str, list[str]] = defaultdict(list)
    for item in fetched:
        for token in markers.found(item.text, forbidden):
            found[token].append(f"{item.where} [{item.status}]")
    return dict(found)


def _coordinator_sees_every_marked_task(markers: Markers, fetched: list[Fetched]) -> None:
    seen = set().union(*(markers.found(item.text, set(MARKED)) for item in fetched))
    marked_tasks = {(o.process_key, o.task_name, o.agency) for o in markers.origins.values()}
    seen_tasks = {(markers.origins[t].process_key, markers.origins[t].task_name, markers.origins[t].agency)
                  for t in seen}
    assert marked_tasks <= seen_tasks, f"the coordinator does not see {sorted(marked_tasks - seen_tasks)}"


def _report(process_key: str, markers: Markers, leaks: dict[str, dict[str, list[str]]]) -> str:
    lines = [f"{process_key}: answers of one agency reach someone who may not read them:"]
    for viewer, found in leaks.items():
        by_field: dict[str, list[str]] = defaultdict(list)
        for token, where in found.items():
            o = markers.origins[token]
            by_field[f"{o.process_key}.{o.task_name}.{o.field} ({o.agency})"].extend(where)
        for name, where in sorted(by_field.items()):
            places = sorted(set(where))
            lines.append(f"  {viewer} reads {name} via {', '.join(places[:4])}"
                         + (f" and {len(places) - 4} more" if len(places) > 4 else ""))
    return "\n".join(lines)
