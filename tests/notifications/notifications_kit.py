"""Helpers for the scheduler and notification tests: a real SMTP server that records what it receives, London
times, a ``Room`` driver that runs each service call in its own transaction (as the web and the scheduler do) and
reads rows back as plain snapshots, and a walk through the calendar that sweeps like the scheduler would.

(A module with its own name, so test modules can import it without clashing with the other conftests.)"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from engine import workdays
from engine.cases import instances
from engine.config import Config
from engine.people import accounts
from engine.records import Actor
from engine.store import audit
from engine.store.db import transaction
from engine.store.models import Agency, AuditEvent, DueItem, HumanTask, Notification, ProcessInstance, User
from engine.work import tasks
from notifications import sweep as sweep_module

BASE_URL = "http://lif.test"
UTC = UTC


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 5, second: int = 0) -> datetime:
    """A London wall-clock time as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=workdays.LONDON).astimezone(UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    """The end of a London day: when a working-day deadline falls due."""
    return workdays.end_of_working_day(date(year, month, day))


def stamp(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM`` in London: the key the ladder tests compare on."""
    return moment.astimezone(workdays.LONDON).strftime("%Y-%m-%d %H:%M")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a real SMTP server ---------------------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts; it can be stopped and started again
    on the same port (the "mail server is down" tests)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = _Recorder()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        if self.controller is None:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def running(self) -> bool:
        return self.controller is not None

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message accepted so far. Complete as soon as the sender has returned, with no waiting: the
        server records a message (``handle_DATA``) before it answers the DATA command, and smtplib's send waits
        for that answer."""
        with self.recorder.lock:
            return list(self.recorder.messages)

    def keys(self) -> list[str]:
        """The idempotency key of every message received, in arrival order (duplicates kept)."""
        return [str(m["X-LIF-Idempotency-Key"]).strip() for m in self.messages]


def mail_config(db_url: str, smtp_port: int, **overrides: Any) -> Config:
    values: dict[str, Any] = dict(database_url=db_url, secret_key="x", mail_backend="smtp", smtp_host="127.0.0.1",
                                  smtp_port=smtp_port, base_url=BASE_URL, mail_sender="lif@lif.test")
    values.update(overrides)
    return Config.from_env(**values)


# --- snapshots ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    id: int
    key: str
    kind: str
    channel: str
    recipient: str
    address: str | None
    task_id: str | None
    instance_id: str | None
    subject: str
    body: str
    body_html: str | None
    state: str
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None = None

    @property
    def entry(self) -> tuple[str, str, str]:
        return self.kind, self.recipient, self.channel


def _note(n: Notification) -> Note:
    return Note(n.id, n.idempotency_key, n.kind, n.channel, n.recipient, n.address, n.task_id, n.instance_id,
                n.subject, n.body, n.body_html, n.state, n.attempts, n.next_attempt_at, n.lease_owner, n.lease_until,
                n.last_error, n.created_at, n.sent_at, n.read_at)


@dataclass(frozen=True)
class Due:
    id: int
    kind: str
    instance_id: str
    task_id: str | None
    due_at: datetime
    payload: dict[str, Any]
    done_at: datetime | None
    attempts: int


def _due(d: DueItem) -> Due:
    return Due(d.id, d.kind, d.instance_id, d.task_id, d.due_at, dict(d.payload or {}), d.done_at, d.attempts)


# --- the driver -----------------------------------------------------------------------------------------------


EMAILS = {"cora": "cora@lif.test", "chad": "chad@lif.test", "pat": "pat@police.test", "sam": "sam@csc.test",
          "hana": "hana@health.test"}


class Room:
    """Drives cases and the sweep, one transaction per call, and reads the outbox and the due table back."""

    def __init__(self, factory: Any, actors: dict[str, Actor], config: Config) -> None:
        self.factory, self.config = factory, config  # the room's configuration: its links, its mail server
        self.actors = {a.username: a for a in actors.values()}  # the partnership fixture keys them by role

    # people
    def actor(self, who: str | Actor) -> Actor:
        return who if isinstance(who, Actor) else self.actors[who]

    def add_user(self, username: str, roles: list[str], agency: str | None = None, *, email: str | None = None,
                 daily_digest: bool = False, now: datetime) -> Actor:
        with transaction(self.factory) as s:
            user = accounts.add_user(s, username, roles=roles, agency_key=agency, email=email, actor=None, now=now)
            user.daily_digest = daily_digest
        actor = Actor(username, frozenset(roles), agency)
        self.actors[username] = actor
        return actor

    def set_user(self, username: str, **values: Any) -> None:
        with transaction(self.factory) as s:
            s.execute(update(User).where(User.username == username).values(**values))

    def give_emails(self, emails: dict[str, str] = EMAILS) -> None:
        for username, address in emails.items():
            self.set_user(username, email=address)

    def set_senior_lead(self, agency: str, username: str | None) -> None:
        with transaction(self.factory) as s:
            s.execute(update(Agency).where(Agency.key == agency).values(senior_lead=username))

    # cases
    def start(self, key: str, *, now: datetime, data: dict[str, Any] | None = None, who: str = "cora",
              business_key: str | None = None) -> str:
        with transaction(self.factory) as s:
            return instances.start_instance(s, key, data=data, business_key=business_key,
                                            actor=self.actor(who), now=now).id

    def task_id(self, instance_id: str, name: str | None = None) -> str:
        with transaction(self.factory) as s:
            query = select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
            if name:
                query = query.where(HumanTask.name == name)
            ids = list(s.scalars(query))
        assert len(ids) == 1, ids
        return ids[0]

    def task(self, task_id: str) -> HumanTask:
        with transaction(self.factory) as s:
            row = s.get(HumanTask, task_id)
            s.expunge(row)
            return row

    def instance(self, instance_id: str) -> ProcessInstance:
        with transaction(self.factory) as s:
            row = s.get(ProcessInstance, instance_id)
            s.expunge(row)
            return row

    def complete(self, task_id: str, *, now: datetime, who: str = "cora", data: dict[str, Any] | None = None) -> None:
        with transaction(self.factory) as s:
            tasks.complete_task(s, task_id, data or {}, actor=self.actor(who), now=now)

    def claim(self, task_id: str, *, now: datetime, who: str) -> None:
        with transaction(self.factory) as s:
            tasks.claim_task(s, task_id, actor=self.actor(who), now=now)

    def call(self, service: Callable[..., Any], *args: Any, now: datetime, who: str = "cora", **kwargs: Any) -> None:
        """Run an engine or notifications service (extend, pause, resume, send_chaser...) in its own transaction."""
        with transaction(self.factory) as s:
            service(s, *args, actor=self.actor(who), now=now, **kwargs)

    # the scheduler
    def sweep(self, now: datetime, worker: str | None = None) -> dict[str, int]:
        return sweep_module.sweep(self.factory, self.config, now, worker=worker)

    def walk(self, clock: Any, first: date, last: date, *, at: Iterable[clock_time] = (clock_time(9, 5),
                                                                                        clock_time(16, 0)),
             extra: Iterable[datetime] = (), actions: dict[datetime, Callable[[datetime], None]] | None = None) -> int:
        """Sweep as the scheduler would, from ``first`` to ``last``: at each of the London times ``at`` every
        calendar day (weekends and bank holidays too), at each ``extra`` moment, and after each action. The clock
        is moved with time-machine; nothing sleeps. Returns how many sweeps ran."""
        actions = actions or {}
        moments = set(extra) | set(actions)
        day = first
        while day <= last:
            moments.update(london(day.year, day.month, day.day, t.hour, t.minute) for t in at)
            day += timedelta(days=1)
        for moment in sorted(moments):
            clock.move_to(moment)
            if moment in actions:
                actions[moment](moment)
            self.sweep(moment)
        return len(moments)

    # reading back
    def notes(self, *, task_id: str | None = None, kind: str | None = None, channel: str | None = None,
              recipient: str | None = None) -> list[Note]:
        with transaction(self.factory) as s:
            query = select(Notification)
            if task_id:
                query = query.where(Notification.task_id == task_id)
            if kind:
                query = query.where(Notification.kind == kind)
            if channel:
                query = query.where(Notification.channel == channel)
            if recipient:
                query = query.where(Notification.recipient == recipient)
            return [_note(n) for n in s.scalars(query.order_by(Notification.created_at, Notification.id))]

    def note(self, note_id: int) -> Note:
        with transaction(self.factory) as s:
            return _note(s.get(Notification, note_id))

    def ledger(self, task_id: str | None = None) -> dict[str, list[tuple[str, str, str]]]:
        """Every notification written, grouped by the London minute it was written at:
        ``{"2026-12-15 09:05": [(kind, recipient, channel), ...]}``."""
        book: dict[str, list[tuple[str, str, str]]] = {}
        for n in self.notes(task_id=task_id):
            book.setdefault(stamp(n.created_at), []).append(n.entry)
        return {k: sorted(v) for k, v in book.items()}

    def count_notes(self) -> int:
        with transaction(self.factory) as s:
            return s.scalar(select(func.count()).select_from(Notification)) or 0

    def due(self, *, instance_id: str | None = None, task_id: str | None = None, kind: str | None = None,
            open_only: bool = False) -> list[Due]:
        with transaction(self.factory) as s:
            query = select(DueItem)
            if instance_id:
                query = query.where(DueItem.instance_id == instance_id)
            if task_id:
                query = query.where(DueItem.task_id == task_id)
            if kind:
                query = query.where(DueItem.kind == kind)
            if open_only:
                query = query.where(DueItem.done_at.is_(None))
            return [_due(d) for d in s.scalars(query.order_by(DueItem.due_at, DueItem.id))]

    def rungs(self, task_id: str) -> list[tuple[str, str]]:
        """The open ladder rows of a task: ``(rung, London minute)``."""
        return [(d.payload["rung"], stamp(d.due_at)) for d in self.due(task_id=task_id, kind="ladder", open_only=True)]

    def actions(self, instance_id: str | None = None, action: str | None = None) -> list[AuditEvent]:
        with transaction(self.factory) as s:
            query = select(AuditEvent)
            if instance_id:
                query = query.where(AuditEvent.instance_id == instance_id)
            if action:
                query = query.where(AuditEvent.action == action)
            rows = list(s.scalars(query.order_by(AuditEvent.id)))
            for row in rows:
                s.expunge(row)
            return rows

    def words(self, instance_id: str, action: str) -> list[str | None]:
        """What was typed with each ``action`` (a reason, a chaser's message): case notes the audit names by id."""
        note_ids = [a.details.get("note_id") for a in self.actions(instance_id, action)]
        with transaction(self.factory) as s:
            found = audit.notes(s, note_ids)
        return [found.get(n) if n else None for n in note_ids]

    def instances_of(self, process_key: str) -> list[ProcessInstance]:
        with transaction(self.factory) as s:
            rows = list(s.scalars(select(ProcessInstance).where(ProcessInstance.process_key == process_key)
                                  .order_by(ProcessInstance.created_at, ProcessInstance.business_key)))
            for row in rows:
                s.expunge(row)
            return rows


def delivered(room: Room, smtp: SmtpServer) -> list[EmailMessage]:
    """Every message the server accepted, once the outbox is drained: no e-mail row is still pending (due,
    retrying or leased), so nothing of this run is left to send, and each send has finished (see
    ``SmtpServer.messages``). A count taken here is final: a duplicate cannot arrive after it."""
    pending = [(n.id, n.kind, n.recipient, n.lease_owner) for n in room.notes(channel="email") if n.state == "pending"]
    assert pending == [], f"e-mail still waiting in the outbox: {pending}"
    return smtp.messages


def sent_emails(room: Room) -> list[Note]:
    return [n for n in room.notes(channel="email") if n.state == "sent"]


def both(*entries: tuple[str, str]) -> list[tuple[str, str, str]]:
    """``(kind, recipient)`` pairs on both channels (everyone in these tests has an e-mail address)."""
    return sorted((kind, who, channel) for kind, who in entries for channel in ("email", "inapp"))


def sweep_in_threads(db_url: str, config: Config, at: datetime, names: list[str]) -> list[dict[str, int]]:
    """Sweep at ``at`` from one thread per name, each with its own engine, released together."""
    from engine.store.db import make_engine, make_session_factory

    barrier = threading.Barrier(len(names))
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        engine = make_engine(db_url)
        try:
            factory = make_session_factory(engine, config.step_settings)
            barrier.wait(timeout=30)
            results.append(sweep_module.sweep(factory, config, at, worker=name))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=scheduler, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == len(names)
    return results
