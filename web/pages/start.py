"""Starting a case by hand, and withdrawing one started by mistake. Starting asks first (for which child, and
why) and creates the case only once the answers are given, so no case, business key or deadline exists for a
start nobody finished; then it opens the first task when it is the user's (the first human step collects the
referral or notification). The starter may withdraw the case while nobody else has touched it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.bundles import definitions
from engine.cases import instances
from engine.errors import Conflict, Forbidden
from engine.reads import catalogue, inbox, queries
from engine.records import DefinitionInfo
from notifications import inbox as notices

from ..context import lif
from .common import back, current_actor, done, now, signed_in

bp = Blueprint("start", __name__)

PSEUDONYM_MAX = 100  # the case row's column
REASON_MAX = 500


@dataclass(frozen=True)
class StartAnswers:
    about: str = ""  # "child" or "none"
    pseudonym: str = ""
    reason: str = ""

    def data(self) -> dict[str, Any]:
        """The case's first variables: ``pseudonym`` names the case like a form's or a script's would."""
        values: dict[str, Any] = {"start_reason": self.reason}
        if self.about == "child":
            values["pseudonym"] = self.pseudonym
        return values


@bp.get("/start")
@signed_in
def processes() -> str:
    with lif().unit_of_work() as db:
        found = catalogue.startable_for(db, current_actor())
    return render_template("start/processes.html", processes=found)


@bp.get("/start/<key>")
@signed_in
def questions(key: str) -> str:
    return render_template("start/questions.html", process=_startable(key), answers=StartAnswers(), errors={})


@bp.post("/start/<key>")
@signed_in
def start(key: str) -> Response | tuple[str, int]:
    process, actor = _startable(key), current_actor()
    answers, errors = _read_answers()
    if errors:
        return render_template("start/questions.html", process=process, answers=answers, errors=errors), 422
    with lif().unit_of_work() as db:
        row = instances.start_instance(db, key, data=answers.data(), actor=actor, now=now())
        first = inbox.inbox_for(db, actor, now(), instance_id=row.id, limit=1).items
        if first:  # the page opens it for them: its "New task" notice to them is not news
            notices.taken_straight_to(db, first[0].task.id, actor.username, now=now())
        business_key, instance_id = row.business_key, row.id
    if first:
        return redirect(url_for("tasks.task_page", task_id=first[0].task.id))
    return done(f"Case {business_key} has started", "instances.case", instance_id=instance_id)


def _startable(key: str) -> DefinitionInfo:
    """The process ``key`` if the user may start it; 404 when there is none, 403 when it is not theirs to start."""
    with lif().unit_of_work() as db:
        found = {p.key: p for p in catalogue.startable_for(db, current_actor())}
        if key not in found:
            definitions.latest(db, key)  # NotFound when no such process
            raise Forbidden(f"starting {key!r} needs another role")
    return found[key]


def _read_answers() -> tuple[StartAnswers, dict[str, str]]:
    """The answers and, by field id, GOV.UK error messages for what is missing or wrong (control characters
    never get here: ``web.inputs`` refuses them in every page form, one-line fields and ``reason`` alike)."""
    form = request.form
    about = form.get("about", "") if form.get("about") in ("child", "none") else ""
    answers = StartAnswers(about=about, pseudonym=form.get("pseudonym", "").strip()[:1000],
                           reason=form.get("reason", "").strip()[:5000])
    errors: dict[str, str] = {}
    if not about:
        errors["about"] = "Select whether this case is about one child"
    elif about == "child":
        if not answers.pseudonym:
            errors["pseudonym"] = "Enter the child's pseudonym"
        elif len(answers.pseudonym) > PSEUDONYM_MAX:
            errors["pseudonym"] = f"Pseudonym must be {PSEUDONYM_MAX} characters or fewer"
    if not answers.reason:
        errors["reason"] = "Enter why you are starting this case"
    elif len(answers.reason) > REASON_MAX:
        errors["reason"] = f"Reason must be {REASON_MAX} characters or fewer"
    return answers, errors


@bp.get("/cases/<instance_id>/withdraw")
@signed_in
def confirm_withdrawal(instance_id: str) -> str:
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, actor, instance_id)
        info = queries.instance_info(db, row, actor, now())
        refusal = instances.withdraw_refusal(db, row, actor)
    if isinstance(refusal, Forbidden):
        raise refusal
    return render_template("start/withdraw.html", case=info, refusal=refusal)


@bp.post("/cases/<instance_id>/withdraw")
@signed_in
def withdraw(instance_id: str) -> Response:
    actor = current_actor()
    try:
        with lif().unit_of_work() as db:
            queries.visible_instance_row(db, actor, instance_id)
            row = instances.withdraw_instance(db, instance_id, actor=actor, now=now())
            business_key = row.business_key
    except Conflict as exc:
        return back(exc.message[:1].upper() + exc.message[1:], "instances.case", instance_id=instance_id)
    return done(f"Case {business_key} has been withdrawn", "instances.case", instance_id=instance_id)
