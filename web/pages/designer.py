"""The designer's view of process definitions: every process with its versions, each version's diagram and
BPMN download, and deploying a bundle from uploaded files (validated by the engine; every problem is
listed with its file, line and element)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from engine.bundles import definitions
from engine.designer import migration
from engine.designer.history import version_history
from engine.errors import Conflict, InvalidData
from engine.store import audit

from ..context import lif
from .common import bounded_int, current_actor, done, now, requires

bp = Blueprint("designer", __name__, url_prefix="/processes")
MAX_FILES = 50


@bp.get("/")
@requires("designer", "admin")
def processes(problems: list[Any] | None = None, status: int = 200) -> Any:
    with lif().unit_of_work() as db:
        latest = definitions.list_latest(db)
    page = render_template("designer/processes.html", processes=latest, problems=problems,
                           key=request.form.get("key", ""))
    return (page, status) if status != 200 else page


@bp.get("/<key>")
@requires("designer", "admin")
def process(key: str) -> str:
    version = bounded_int(request.args.get("version"), 0, 2**31 - 1)
    with lif().unit_of_work() as db:
        history = definitions.versions(db, key)
        chosen = definitions.get_version(db, key, version)
        shown = next(v for v in history if v.version == chosen.version)
        deploys = version_history(db, key)
        older_cases = migration.cases_on_older_versions(db, key, shown.version)
    return render_template("designer/process.html", history=history, shown=shown, deploys=deploys,
                           older_cases=older_cases)


@bp.get("/<key>/<int:version>/diagram.bpmn")
@requires("designer", "admin")
def bpmn(key: str, version: int) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as db:
        xml = definitions.bpmn_xml(db, key, version)
        audit.record(db, "definition.downloaded", actor=actor.username, now=now(), key=key, version=version)
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'{disposition}; filename="{key}-v{version}.bpmn"'})


@bp.post("/")
@requires("designer", "admin")
def deploy() -> Any:
    key = request.form.get("key", "").strip()
    uploads = request.files.getlist("files")[:MAX_FILES]
    try:
        files = {u.filename.rsplit("/", 1)[-1]: u.read().decode("utf-8") for u in uploads if u.filename}
    except UnicodeDecodeError:
        return processes([{"file": "", "message": "every file must be UTF-8 text"}], 422)
    try:
        with lif().unit_of_work() as db:
            info, created = definitions.deploy_bundle(db, key, files, actor=current_actor().username, now=now())
    except InvalidData as exc:
        return processes(exc.details or [{"message": exc.message}], 422)
    except Conflict as exc:
        return processes([{"message": exc.message}], 409)
    message = f"{info.name} version {info.version} is deployed" if created else \
        f"Nothing changed: the files are the same as {info.name} version {info.version}"
    return done(message, "designer.process", key=info.key)
