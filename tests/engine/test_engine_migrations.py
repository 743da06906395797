"""Schema upgrades (``lif init``): the migrations build exactly the tables the models describe, a database made
before migrations existed is adopted and upgraded with its data, and upgrading twice changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import DatabaseError

from engine.errors import Conflict
from engine.people import accounts
from engine.store.db import Base, make_engine, make_session_factory, transaction
from engine.store.models import Agency, BusinessKeyClaim, ProcessDefinition, ProcessInstance
from engine.store.schema import (
    BASELINE_REVISION,
    MIGRATIONS,
    baseline_structure,
    current_revision,
    structure,
    structure_differences,
    upgrade_schema,
)

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


@pytest.fixture
def bare(db_url):
    """An empty database (no tables), unlike the ``db`` fixture's."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _made_before_migrations(engine) -> None:
    """The tables ``lif init`` made before there were migrations: the baseline's, with no revision recorded
    (the models have moved on since, so ``create_schema`` no longer makes them)."""
    upgrade_schema(engine, BASELINE_REVISION)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))


def _differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)


def test_the_migrations_build_what_the_models_describe(bare):
    assert upgrade_schema(bare) == f"database created at revision {HEAD}"
    assert _differences(bare) == []
    with bare.connect() as connection:
        assert current_revision(connection) == HEAD


def test_a_database_from_before_migrations_is_adopted_with_its_data(bare):
    _made_before_migrations(bare)
    with bare.begin() as connection:  # the columns of that time: today's model has more
        connection.execute(text("INSERT INTO agency (key, name, created_at) VALUES ('police', 'Police', :now)"),
                           {"now": NOW.isoformat()})
    assert upgrade_schema(bare).startswith(f"database from before migrations taken as revision {BASELINE_REVISION}")
    with transaction(make_session_factory(bare)) as s:
        assert s.scalars(select(Agency.key)).all() == ["police"]
    assert _differences(bare) == []


def test_an_unknown_database_is_refused_and_left_as_it_was(bare):
    with bare.begin() as connection:
        connection.execute(text("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)"))
    with pytest.raises(Conflict) as refused:
        upgrade_schema(bare)
    assert {"unknown table: someone_elses", "missing table: process_instance"} <= set(refused.value.details)
    assert sorted(inspect(bare).get_table_names()) == ["someone_elses"]


def test_a_database_from_before_migrations_with_other_indexes_is_refused(bare):
    _made_before_migrations(bare)
    with bare.begin() as connection:  # as an early build named it
        connection.execute(text("DROP INDEX ix_human_task_state_agency_role_due"))
        connection.execute(text("CREATE INDEX ix_human_task_state_agency_role ON human_task (state, agency, role)"))
    with pytest.raises(Conflict) as refused:
        upgrade_schema(bare)
    assert refused.value.details == ["human_task: missing index ix_human_task_state_agency_role_due",
                                     "human_task: unknown index ix_human_task_state_agency_role"]
    with bare.connect() as connection:
        assert current_revision(connection) is None


def test_the_baseline_structure_is_that_of_the_baseline_revision(bare):
    upgrade_schema(bare, BASELINE_REVISION)
    with bare.connect() as connection:
        assert structure_differences(structure(connection), baseline_structure()) == []


def test_upgrading_twice_changes_nothing(bare):
    upgrade_schema(bare)
    tables = sorted(inspect(bare).get_table_names())
    assert upgrade_schema(bare) == f"database at revision {HEAD}"
    assert sorted(inspect(bare).get_table_names()) == tables


def test_the_audit_trail_stays_append_only_after_an_upgrade(bare):
    upgrade_schema(bare)
    with transaction(make_session_factory(bare)) as s:
        accounts.add_agency(s, "police", "Police", actor=None, now=NOW)  # writes an audit row
    with pytest.raises(DatabaseError), bare.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'someone else'"))


def test_existing_business_keys_are_claimed_by_their_earliest_case(bare):
    """0004 backfills each key's claim with the case created first (the smaller id on a tie), not the smallest
    id: ids are random UUIDs, so ``MIN(id)`` named any of a key's cases."""
    upgrade_schema(bare, "0003_task_binding")
    cases = {  # id: (business key, created)
        "ffffffff-0000-0000-0000-000000000001": ("SCR-1", NOW),  # the earliest, with the larger id
        "00000000-0000-0000-0000-000000000002": ("SCR-1", NOW + timedelta(days=1)),
        "bbbbbbbb-0000-0000-0000-000000000003": ("SCR-2", NOW),  # a tie: the smaller id claims
        "aaaaaaaa-0000-0000-0000-000000000004": ("SCR-2", NOW),
        "cccccccc-0000-0000-0000-000000000005": ("SCR-2", NOW + timedelta(hours=1)),
    }
    with bare.begin() as c:
        c.execute(insert(ProcessDefinition.__table__).values(
            id=1, key="scr", version=1, name="SCR", description="", content_hash="x", primary_process_id="scr",
            primary_file_name="scr.bpmn", process_ids=["scr"], message_starts={}, model={}, files={},
            spec_json="{}", deployed_at=NOW))
        for case_id, (key, created) in cases.items():
            c.execute(insert(ProcessInstance.__table__).values(
                id=case_id, definition_id=1, process_key="scr", process_id="scr", business_key=key, title=key,
                status="active", data={}, state="", revision="r", created_at=created, updated_at=created))
    upgrade_schema(bare)
    with bare.connect() as c:
        claims = dict(c.execute(select(BusinessKeyClaim.business_key, BusinessKeyClaim.instance_id)).all())
    assert claims == {"SCR-1": "ffffffff-0000-0000-0000-000000000001",
                      "SCR-2": "aaaaaaaa-0000-0000-0000-000000000004"}
