"""Chase all: a coordinator chases every overdue agency of one case, or of the whole dashboard, in one action. The
first page shows who gets what; its button sends them (``notifications.chase_all``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.reads import queries
from notifications import chase_all

from ..context import lif
from .common import back, current_actor, done, now, requires

bp = Blueprint("chasing", __name__)


@bp.get("/cases/chase")
@requires("coordinator")
def preview_all() -> str:
    return _preview(None)


@bp.get("/cases/<instance_id>/chase")
@requires("coordinator")
def preview_case(instance_id: str) -> str:
    return _preview(instance_id)


def _preview(instance_id: str | None) -> str:
    actor = current_actor()
    with lif().unit_of_work() as db:
        case = queries.visible_instance_row(db, actor, instance_id) if instance_id else None
        chases = chase_all.overdue_to_chase(db, actor, now(), instance_id=instance_id)
        business_key = case.business_key if case is not None else None
    back_to = url_for("instances.case", instance_id=instance_id) if instance_id else url_for("dashboard.cases")
    return render_template("dashboard/chase.html", chases=chases, instance_id=instance_id,
                           business_key=business_key, back_to=back_to,
                           agencies=len({c.agency for c in chases}))


@bp.post("/cases/chase")
@requires("coordinator")
def send_all() -> Response:
    return _send(None, ("dashboard.cases", {}))


@bp.post("/cases/<instance_id>/chase")
@requires("coordinator")
def send_case(instance_id: str) -> Response:
    return _send(instance_id, ("instances.case", {"instance_id": instance_id}))


def _send(instance_id: str | None, where: tuple[str, dict[str, Any]]) -> Response:
    actor, chosen = current_actor(), request.form.getlist("task")[:10_000]
    with lif().unit_of_work() as db:
        if instance_id:
            queries.visible_instance_row(db, actor, instance_id)
        sent = chase_all.chase_all(db, actor, now(), base_url=lif().config.base_url, chosen=chosen,
                                   instance_id=instance_id, message=request.form.get("message", "")[:2000])
    if not sent.tasks:
        return back("No chasers were sent: the overdue tasks have been done or moved on since you looked",
                    where[0], **where[1])
    return done(f"{_count(sent.tasks, 'chaser')} sent to {_count(sent.people, 'person', 'people')} in "
                f"{_count(sent.agencies, 'agency', 'agencies')}", where[0], **where[1])


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
