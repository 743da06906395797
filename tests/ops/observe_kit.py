"""Helpers for the observability tests (health, metrics, logs): an app on the test database whose schema is stamped
with a revision (``create_schema`` makes the tables without one), and the alembic head."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.config import Config
from engine.store.schema import known_revisions
from web import create_app

HEAD = known_revisions()[0]


def stamp(engine: Engine, revision: str | None) -> None:
    """The database says it is at ``revision`` (None: no revision table, as ``create_schema`` leaves it)."""
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if revision is not None:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            connection.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


def make_app(db_url: str, tmp_path: Any, **settings: Any) -> Any:
    config = Config.from_env(database_url=db_url, secret_key="test-secret-" + "k" * 32,
                             workflows_dir=tmp_path / "none", **settings)
    app = create_app(config)
    app.config.update(WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def ready_app(db_url, db, tmp_path):
    """An app on a database at the newest schema revision."""
    stamp(db, HEAD)
    return make_app(db_url, tmp_path)


API = "/api/v1"


class Driver:
    """The API steps the tests take: tokens by username, deploys as the designer, starts and completions."""

    def __init__(self, client: Any) -> None:
        self.client, self.tokens = client, {}

    def headers(self, who: str) -> dict[str, str]:
        from tests.conftest import PASSWORDS

        if who not in self.tokens:
            answer = self.client.post(f"{API}/auth/token", json={"username": who, "password": PASSWORDS[who]})
            assert answer.status_code == 200, answer.get_json()
            self.tokens[who] = answer.get_json()["token"]
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, path: str, who: str, body: Any) -> Any:
        answer = self.client.post(API + path, json=body, headers=self.headers(who))
        assert answer.status_code in (200, 201), answer.get_json()
        return answer.get_json()

    def deploy(self, name: str) -> None:
        from tests.api.api_kit import bundle_files

        self.post("/process-definitions", "dee", {"key": name, "files": bundle_files(name)})

    def start(self, key: str, data: dict[str, Any]) -> Any:
        return self.post("/process-instances", "cora", {"process_key": key, "data": data})
