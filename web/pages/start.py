"""Starting a case by hand: the processes the user may start, and starting one, which opens the first task
when it is the user's (the first human step collects the referral or notification)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from engine.cases import instances
from engine.reads import catalogue, inbox

from ..context import lif
from .common import current_actor, done, now, signed_in

bp = Blueprint("start", __name__)


@bp.get("/start")
@signed_in
def processes() -> str:
    with lif().unit_of_work() as db:
        found = catalogue.startable_for(db, current_actor())
    return render_template("start/processes.html", processes=found)


@bp.post("/start/<key>")
@signed_in
def start(key: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = instances.start_instance(db, key, actor=actor, now=now())
        first = inbox.inbox_for(db, actor, now(), instance_id=row.id, limit=1).items
        business_key, instance_id = row.business_key, row.id
    if first:
        return redirect(url_for("tasks.task_page", task_id=first[0].task.id))
    return done(f"Case {business_key} has started", "instances.case", instance_id=instance_id)
