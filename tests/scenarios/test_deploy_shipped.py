"""Every shipped bundle deploys cleanly through ``lif deploy`` / ``lif init`` and through the API, and deploying
the same files again changes nothing."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.bundles.parsing import read_bundle_dir
from web.cli import main

from .conftest import SHIPPED, WORKFLOWS

API = "/api/v1"


@pytest.fixture
def cli(tmp_path):
    """``cli("deploy", path)`` runs ``lif`` on a fresh SQLite file; the workflows folder is empty unless given."""
    empty = tmp_path / "no-workflows"
    empty.mkdir()
    env = {"LIF_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LIF_SECRET_KEY": "test-secret",
           "LIF_INSTANCE_DIR": str(tmp_path / "instance"), "LIF_WORKFLOWS_DIR": str(empty)}

    def _cli(*args, workflows=None):
        result = CliRunner().invoke(main, [str(a) for a in args],
                                    env={**env, **({"LIF_WORKFLOWS_DIR": str(workflows)} if workflows else {})})
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output
    return _cli


def test_lif_deploy_each_shipped_bundle(cli):
    # the schema only: the workflows folder given is empty
    assert cli("init").strip().startswith("database created at revision ")
    for key in SHIPPED:
        assert cli("deploy", WORKFLOWS / key).strip() == f"{key}: version 1 deployed"
    for key in SHIPPED:
        assert cli("deploy", WORKFLOWS / key).strip() == f"{key}: version 1 unchanged (identical files)"


def test_lif_init_deploys_every_shipped_bundle(cli):
    first = cli("init", workflows=WORKFLOWS).split("\n")[:-1]
    assert first[0].startswith("database created at revision ")
    assert sorted(first[1:]) == sorted(f"{key}: version 1 deployed" for key in SHIPPED)
    again = cli("init", workflows=WORKFLOWS).split("\n")[:-1]
    assert again[0].startswith("database at revision ")
    assert sorted(again[1:]) == sorted(f"{key}: version 1 unchanged" for key in SHIPPED)


def test_api_deploys_each_shipped_bundle_and_starts_it(client, auth):
    designer, coordinator = auth("dee"), auth("cora")
    for key in SHIPPED:
        body = {"key": key, "files": read_bundle_dir(WORKFLOWS / key)}
        response = client.post(f"{API}/process-definitions", json=body, headers=designer)
        assert response.status_code == 201, response.get_json()
        assert (response.json["key"], response.json["version"]) == (key, 1)
        again = client.post(f"{API}/process-definitions", json=body, headers=designer)
        assert (again.status_code, again.json["version"]) == (200, 1)
    listed = client.get(f"{API}/process-definitions", headers=coordinator).json
    assert sorted((d["key"], d["version"]) for d in listed["items"]) == sorted((k, 1) for k in SHIPPED)
    for key in SHIPPED:
        started = client.post(f"{API}/process-instances", json={"process_key": key}, headers=coordinator)
        assert started.status_code == 201, started.get_json()
        assert started.json["status"] == "active" and started.json["tasks"], started.json
