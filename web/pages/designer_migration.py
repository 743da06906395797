"""Moving running cases to another version of their process, for designers: a preview of the cases not on the
chosen version (business key, version, where each stands, whether it can move or why not), a button per case and
one for every case that can move. The work is ``engine.designer.migration``; the page shows no case data."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from engine.bundles import definitions
from engine.designer import migration
from engine.errors import BadRequest, Conflict

from ..context import lif
from .common import back, bounded_int, current_actor, done, now, requires

bp = Blueprint("designer_migration", __name__, url_prefix="/processes")


@bp.get("/<key>/migrate")
@requires("designer", "admin")
def preview(key: str) -> str:
    version = bounded_int(request.args.get("version"), 1, 2**31 - 1)
    with lif().reading() as db:
        target = definitions.get_version(db, key, version)
        cases = migration.preview_all(db, key, target.version, actor=current_actor())
        name, version = (target.model or {}).get("display_name") or key, target.version
    return render_template("designer/migrate.html", key=key, name=name, version=version, cases=cases,
                           movable=sum(c.can_migrate for c in cases))


@bp.post("/<key>/migrate")
@requires("designer", "admin")
def move(key: str) -> Any:
    version = bounded_int(request.form.get("version"), 1, 2**31 - 1)
    if version is None:
        raise BadRequest("say which version to move the cases to")
    actor = current_actor()
    if request.form.get("all") == "1":
        try:
            with lif().unit_of_work() as db:
                summary = migration.migrate_all_safe(db, key, version, actor=actor, now=now())
        except Conflict as exc:  # a step ran meanwhile: nothing moved (one transaction)
            return back(f"No case was moved: {exc.message}. Try again.", "designer_migration.preview", key=key,
                        version=version)
        return done(_summary_words(summary), "designer_migration.preview", key=key, version=version)
    try:
        with lif().unit_of_work() as db:
            moved = migration.migrate(db, request.form.get("instance_id", ""), version, actor=actor, now=now(),
                                      key=key)
    except Conflict as exc:
        return back(f"{exc.message}.", "designer_migration.preview", key=key, version=version)
    return done(f"Case {moved.business_key} moved to version {version}", "designer_migration.preview", key=key,
                version=version)


def _summary_words(summary: migration.MigrationSummary) -> str:
    moved = len(summary.moved)
    words = f"{moved} {'case' if moved == 1 else 'cases'} moved to version {summary.to_version}"
    if summary.skipped:
        reasons = "; ".join(f"{p.business_key}: {', '.join(p.problems)}" for p in summary.skipped)
        words += f"; {len(summary.skipped)} could not: {reasons}"
    return words
