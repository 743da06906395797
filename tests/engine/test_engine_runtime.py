"""The in-memory caches behind each step: specs and bundle files are cached per deployed version, and never
stand for another bundle when the database under the process is recreated (ids start again at 1)."""
from __future__ import annotations

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.cases import instances
from engine.records import Actor
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.schema import create_schema
from engine.work import tasks
from tests.conftest import VERIFIED

from .engine_kit import BUNDLES, NOW, Cases

CORA = Actor("cora", frozenset({"coordinator"}))


def test_caches_never_mix_bundles_of_recreated_databases(tmp_path, restore_every_step):
    for key, first_task in (("simple_review", "submit"), ("call_activity", "child_review"),
                            ("nested_form", "report")):
        engine = make_engine(f"sqlite:///{tmp_path / key}.sqlite3")
        create_schema(engine)
        factory = make_session_factory(engine, VERIFIED)
        with transaction(factory) as s:
            info, _ = definitions.deploy_bundle(s, key, read_bundle_dir(BUNDLES / key), actor="dee", now=NOW)
            assert info.version == 1
            instance_id = instances.start_instance(s, key, data={"value": 1}, actor=CORA, now=NOW).id
        cases = Cases(factory, {"coordinator": CORA})
        (task,) = cases.tasks(instance_id)
        assert task.name == first_task
        with transaction(factory) as s:
            schema = tasks.task_detail(s, task.id, actor=CORA, now=NOW).form_schema
        if key == "nested_form":
            assert schema is not None and "a" in schema["properties"]
        engine.dispose()
