"""The designer's bundles pages: what changed between two versions (both diagrams marked, and the list in
words), a version as a zip in spiff-arena's layout, and deploying such a zip (problems shown on the processes
page). The work is ``engine.designer.diffing`` and ``zips``."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from engine.bundles import definitions
from engine.designer import diffing, zips
from engine.errors import Conflict, InvalidData, NotFound, TooLarge
from engine.store import audit

from ..context import lif
from . import designer
from .common import bounded_int, current_actor, done, now, requires

bp = Blueprint("designer_bundles", __name__, url_prefix="/processes")


@bp.get("/<key>/diff")
@requires("designer", "admin")
def diff(key: str) -> Any:
    old = bounded_int(request.args.get("from"), 1, 2**31 - 1)
    new = bounded_int(request.args.get("to"), 1, 2**31 - 1)
    if old is None or new is None:
        abort(400)
    with lif().reading() as db:
        found = diffing.diff_versions(db, key, old, new)
        name = definitions.get_version(db, key, new).name
    markers = {"added": found.added, "removed": found.removed, "changed": found.changed}
    return render_template("designer/diff.html", diff=found, name=name, markers=markers,
                           sentences=found.sentences())


@bp.get("/<key>/<int:version>/bundle.zip")
@requires("designer", "admin")
def bundle_zip(key: str, version: int) -> Response:
    with lif().unit_of_work() as db:
        shown, data = zips.export_zip(db, key, version)
        audit.record(db, "definition.downloaded", actor=current_actor().username, now=now(), key=key, version=shown)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{key}-v{shown}.zip"'})


@bp.post("/import")
@requires("designer", "admin")
def import_zip() -> Any:
    sent = request.files.get("bundle")
    if sent is None or not sent.filename:
        return designer.processes([{"file": "", "message": "Choose a zip file to upload"}], 422)
    data = sent.stream.read(zips.MAX_ZIP_BYTES + 1)
    key = request.form.get("key", "").strip() or None
    try:
        with lif().unit_of_work() as db:
            info, created = zips.import_zip(db, data, key, actor=current_actor().username, now=now())
    except InvalidData as exc:
        return designer.processes(exc.details or [{"message": exc.message}], 422)
    except TooLarge as exc:
        return designer.processes([{"message": exc.message}], 413)
    except (Conflict, NotFound) as exc:
        return designer.processes([{"message": exc.message}], 409)
    message = f"{info.name} version {info.version} is deployed" if created else \
        f"Nothing changed: the files are the same as {info.name} version {info.version}"
    return done(message, "designer.process", key=info.key)
