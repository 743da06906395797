"""The tables. Queryable facts (tasks, due times, subscriptions) live in their own indexed rows, so inboxes,
dashboards and the scheduler never deserialize a workflow."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .db import Base, UTCDateTime

ROLES = ("coordinator", "chair", "reviewer", "partner", "scrutineer", "designer", "admin")
# The statutory safeguarding partners (Children Act 2004 s16E): the local authority, the integrated care board and
# the chief officer of police. An agency marked with one of these is a partner; several may share a kind.
PARTNER_KINDS = ("la", "icb", "police")


def new_id() -> str:
    return str(uuid.uuid4())


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    senior_lead: Mapped[str | None] = mapped_column(String(64))  # username escalations go to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_kind: Mapped[str | None] = mapped_column(String(16))  # one of PARTNER_KINDS, or None


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    active: Mapped[bool] = mapped_column(default=True)
    daily_digest: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agency: Mapped[Agency | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInThrottle(Base):
    """Failed sign-ins, counted in the database so every web worker sees them: one row per address group (an
    IPv4 address or an IPv6 /64; ``username`` empty), one per username (``address`` empty), and one per
    username tried from an address group. ``blocked_until`` is when the next try is allowed."""

    __tablename__ = "sign_in_throttle"
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInKnown(Base):
    """An address group (as in ``SignInThrottle``) that has signed in to an account: tries from it are not
    delayed when the account's failures across all addresses pass their limit."""

    __tablename__ = "sign_in_known"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserSession(Base):
    """A signed-in session of the pages. The cookie carries the session's id; only its SHA-256 is stored."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    primary_process_id: Mapped[str] = mapped_column(String(128))
    primary_file_name: Mapped[str] = mapped_column(String(200))
    process_ids: Mapped[list[str]] = mapped_column(JSON)
    message_starts: Mapped[dict[str, str]] = mapped_column(JSON)  # message name -> process id
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, str]] = deferred(mapped_column(JSON))
    spec_json: Mapped[str] = deferred(mapped_column(Text))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    # {"throws": [names], "catches": [names]}: the messages this version owns; None when deployed before it was kept
    messages: Mapped[dict[str, list[str]] | None] = mapped_column(JSON, nullable=True)


class ProcessDraft(Base):
    """A designer's unfinished change to a process (migration 0016): every file of the bundle, saved without being
    deployed or validated. ``revision`` counts the saves, so a save made from an older revision is refused (two
    designers editing the same draft get a conflict, not a silent overwrite)."""
    __tablename__ = "process_draft"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the deployed version it started from
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))
    pseudonym: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)  # an engine.states.InstanceStatus
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = deferred(mapped_column(JSON))
    state: Mapped[str] = deferred(mapped_column(Text))
    revision: Mapped[str] = mapped_column(String(32))
    started_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the BPMN ids of the elements the case has run, sorted (migration 0013): its diagram's path, kept here because
    # the workflow's task tree need not keep completed tasks
    executed_elements: Mapped[list[str] | None] = deferred(mapped_column(JSON, nullable=True))
    # the case this instance is a part of (migration 0014): an action plan's monitored actions belong to the plan,
    # and lists show the plan, not its parts. None for a case in its own right.
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"), index=True, nullable=True)
    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": lambda _: uuid.uuid4().hex}


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_state_due", "state", "due_at"),
        Index("ix_human_task_state_agency", "state", "agency"),
        Index("ix_human_task_state_assignee", "state", "assignee"),
        Index("ix_human_task_state_role", "state", "role"),
        # inboxes (unbound tasks by role) and the returns board (open tasks per agency, with due dates)
        Index("ix_human_task_state_agency_role_due", "state", "agency", "role", "due_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))  # an engine.states.TaskState
    role: Mapped[str | None] = mapped_column(String(32))
    agency: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    # whom the task returns to when released: the user named by ``assigneeFrom`` or a coordinator's reassign;
    # None for agency and role tasks, which go back to their agency's or role's queue
    bound_to: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(Integer, default=3)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    form_file: Mapped[str | None] = mapped_column(String(200))
    ui_file: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = deferred(mapped_column(JSON))  # what the task's view shows of the case
    answers: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))  # what its doer submitted
    draft: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    # The law's clock (migration 0015, for the compliance report): when the deadline started counting (``dueFrom``'s
    # date, or the task's creation), the deadline before any extension (a resumed pause moves it on, an extension
    # does not), and the working days pauses moved it on by.
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statutory_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_days: Mapped[int | None] = mapped_column(Integer)
    instance: Mapped[ProcessInstance] = relationship(lazy="raise")


class Comment(Base):
    __tablename__ = "comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    challenge: Mapped[bool] = mapped_column(default=False)  # the independent scrutineer's challenge


class DueItem(Base):
    """Something that must happen at ``due_at``: a BPMN timer to fire, or a reminder or escalation to send."""

    __tablename__ = "due_item"
    __table_args__ = (
        Index("ix_due_item_pending", "due_at", sqlite_where=text("done_at IS NULL"),
              postgresql_where=text("done_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # an engine.states.DueKind
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class MessageSubscription(Base):
    __tablename__ = "message_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(128), index=True)
    correlation: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEvent(Base):
    """Append-only: the ORM refuses updates and deletes, and database triggers refuse them too."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BusinessKeySequence(Base):
    __tablename__ = "business_key_sequence"
    prefix: Mapped[str] = mapped_column(String(64), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class BusinessKeyClaim(Base):
    """A business key that belongs to one case (see ``engine.business_keys``)."""

    __tablename__ = "business_key_claim"
    business_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))


class Notification(Base):
    """The outbox: one row per recipient and channel, unique by idempotency key. In-app rows are delivered
    when written; e-mail rows are delivered by the sweep, retried with backoff, and never deleted."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient", "recipient", "channel", "created_at"),
        Index("ix_notification_pending", "next_attempt_at", sqlite_where=text("state = 'pending'"),
              postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # a notifications.states.NotificationKind
    channel: Mapped[str] = mapped_column(String(16))  # a notifications.states.Channel
    recipient: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(254))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # a notifications.states.NotificationState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The pairings the shipped bundles need, whatever order they are deployed in (the migration seeds its own copy).
SHIPPED_MESSAGE_PAIRINGS = (("scr", "scr_referral"), ("action_plan", "action_plan_handover"),
                            ("action_plan", "action_raised"), ("action_plan", "action_continue"),
                            ("case_audit", "case_audit_planned"), ("scr", "panel_response"),
                            ("scr", "scr_further_referral"), ("action_plan", "action_closed"),
                            ("action_plan", "actions_added"))


class MessagePairing(Base):
    """A process (by key) allowed to receive a message (by name): by an admin, as shipped, or because it was the
    first to use the message. A deploy whose diagrams catch a message another process owns is refused without
    one (``engine.bundles.message_owners``)."""

    __tablename__ = "message_pairing"
    process_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_name: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(String(16))  # an engine.states.PairingReason
    allowed_by: Mapped[str | None] = mapped_column(String(64))
    allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@event.listens_for(MessagePairing.__table__, "after_create")
def _seed_shipped_pairings(table: Any, connection: Any, **_: Any) -> None:
    """Tables made with ``create_all`` (tests, benchmarks) start with the shipped pairings, as migrated ones do."""
    connection.execute(table.insert(), [{"process_key": key, "message_name": name, "reason": "shipped"}
                                        for key, name in SHIPPED_MESSAGE_PAIRINGS])


class Document(Base):
    """A case document: the file one file field of one task holds (``{"format": "lif-file"}`` in its form). The
    field's value is this id; uploading to the same task and field again adds a version (``DocumentVersion``),
    so the id a form holds never changes while every version is kept."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("task_id", "field"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(200))  # the form field's path, "report" or "imrs[0].file"
    latest_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentVersion(Base):
    """One upload of a document: its name as sent, the type its content proved to be, its size and SHA-256, who
    sent it and when, and the key of its bytes in the document store (``engine.documents.stores``)."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentBlob(Base):
    """The bytes of a document version, for the database document store (the default)."""

    __tablename__ = "document_blob"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class CaseNote(Base):
    """Words a person typed about a case outside its forms: why it was cancelled, paused, resumed, put under or
    released from a legal hold, why a deadline moved, what a chaser said. They are case data, so they live on a
    row the case owns (erased when the case is disposed) and the append-only audit trail names them by id
    (``note_id``), never by their words."""

    __tablename__ = "case_note"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(64))  # the audited action the words explain
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LegalHold(Base):
    """A legal hold on a case (an inquest, criminal proceedings, an inquiry): while one is open (``released_at``
    empty) the case is never disposed. Its kind is a code; the reasons the coordinator wrote for placing and lifting
    it are ``CaseNote`` rows."""

    __tablename__ = "legal_hold"
    __table_args__ = (Index("ix_legal_hold_open", "instance_id", "released_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    kind: Mapped[str] = mapped_column(String(32))  # an engine.retention.holds.HoldKind
    note_id: Mapped[str | None] = mapped_column(String(36))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_note_id: Mapped[str | None] = mapped_column(String(36))


class CaseStatistics(Base):
    """What is kept of a disposed case for statistics: its process and version, dates, status and the outcome
    codes its bundle names (``retention.statistics`` in ``process_model.json``), copied before erasure."""

    __tablename__ = "case_statistics"
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    disposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disposed_by: Mapped[str] = mapped_column(String(64))


# The retention report's query: one version's ended cases, by when they ended (declared here, at the end of the
# file, with the other retention tables; it belongs to process_instance).
Index("ix_process_instance_definition_completed", ProcessInstance.definition_id, ProcessInstance.completed_at)


class ChildMatchKey(Base):
    """A keyed hash (HMAC-SHA256 with the deployment's secret) of the child a case is about, one per basis its data
    gives: ``nhs`` (the NHS number) or ``details`` (initials, date of birth and local authority). Only the hash is
    kept, never the identifiers, so a referral for the same child can find the open case (``cases.child_match``)
    without a second copy of who the child is. Erased when the case is disposed of."""

    __tablename__ = "child_match_key"
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    basis: Mapped[str] = mapped_column(String(8), primary_key=True)  # nhs or details
    key_hash: Mapped[str] = mapped_column(String(64), index=True)


# --- the partnership's registers (migration 0014): rows projected from case data at each step ------------------

class PlanAction(Base):
    """One action of an action plan, as the action register lists it. Written by ``engine.registers`` from the case
    data of the instance that monitors the action (``registers`` in the bundle's ``process_model.json``), so the
    register, the plan's page and the reports never deserialize a workflow. ``action_key`` is the action's own
    reference (``AP-20270104-...-03``); ``plan_id`` the plan's case; ``item_id`` the instance monitoring it now."""

    __tablename__ = "plan_action"
    __table_args__ = (
        Index("ix_plan_action_status_due", "status", "due_date"),
        Index("ix_plan_action_agency_status", "agency", "status"),
        # the register's page (engine.reports.actions): every column its filters and its order read but the texts,
        # so the first page of 50,000 actions is sorted from this index without reading a row
        Index("ix_plan_action_register", "due_date", "status", "plan_id", "number", "agency", "owner", "rag",
              "source_process"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    action_key: Mapped[str] = mapped_column(String(80), unique=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    item_id: Mapped[str | None] = mapped_column(String(36), index=True)
    number: Mapped[int] = mapped_column(Integer, default=0)
    source_process: Mapped[str] = mapped_column(String(64), default="manual", index=True)
    source_reference: Mapped[str] = mapped_column(String(64), default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    expected_outcome: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(64))
    agency: Mapped[str | None] = mapped_column(String(64))
    sign_off_by: Mapped[str] = mapped_column(String(16), default="coordinator")
    due_date: Mapped[date | None] = mapped_column(Date)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    replans: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), default="open")  # engine.registers.actions.STATUSES
    rag: Mapped[str | None] = mapped_column(String(8))
    latest_update: Mapped[str] = mapped_column(Text, default="")
    latest_update_date: Mapped[date | None] = mapped_column(Date)
    updates_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_of_completion: Mapped[str] = mapped_column(Text, default="")
    evidence_of_impact: Mapped[str] = mapped_column(Text, default="")
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Lesson(Base):
    """One lesson of the learning log: what a review, child death review, audit or Section 11 cycle learned. Written by
    ``engine.registers`` from the list its bundle declares (``registers.lessons``); it names its source case by id and
    business key only, and holds no personal data."""

    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("instance_id", "position"),
                      Index("ix_lesson_theme_recorded", "theme", "recorded_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # its place in the case's list
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    business_key: Mapped[str] = mapped_column(String(64))
    theme: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(Text)
    good_practice: Mapped[str] = mapped_column(Text, default="")
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recorded_by: Mapped[str | None] = mapped_column(String(64))


class LearningTheme(Base):
    """A theme lessons are filed under; the coordinators keep the list. A retired theme stays on the lessons that
    have it and leaves the forms' choices."""

    __tablename__ = "learning_theme"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The themes a new partnership starts with (the migration seeds its own copy); coordinators change them.
DEFAULT_LEARNING_THEMES = (
    ("neglect", "Neglect"), ("domestic_abuse", "Domestic abuse"), ("parental_mental_health", "Parental mental health"),
    ("substance_misuse", "Parental substance misuse"), ("information_sharing", "Information sharing"),
    ("voice_of_child", "Voice of the child"), ("professional_curiosity", "Professional curiosity"),
    ("escalation", "Escalation and professional challenge"), ("assessment_and_planning", "Assessment and planning"),
    ("safe_sleep", "Safe sleep"), ("exploitation", "Child exploitation"),
    ("self_harm_suicide", "Self-harm and suicide"), ("disability", "Disabled children"),
    ("inequalities", "Racism, inequalities and protected characteristics"),
    ("supervision", "Supervision and management oversight"), ("recording", "Recording"), ("other", "Other"),
)


@event.listens_for(LearningTheme.__table__, "after_create")
def _seed_learning_themes(table: Any, connection: Any, **_: Any) -> None:
    """Tables made with ``create_all`` (tests, benchmarks) start with the default themes, as migrated ones do."""
    connection.execute(table.insert(), [{"key": key, "name": name, "position": i}
                                        for i, (key, name) in enumerate(DEFAULT_LEARNING_THEMES)])


# --- the compliance report (migration 0015) -------------------------------------------------------------------
# One measure's tasks by when their clocks started (``engine.reports.compliance``), and the actions by when raised.
Index("ix_human_task_process_name_clock", HumanTask.process_key, HumanTask.name, HumanTask.clock_started_at)
# covering: the report counts the period's actions from the index alone (tens of thousands of wide rows otherwise)
Index("ix_plan_action_raised", PlanAction.raised_at, PlanAction.status, PlanAction.agency, PlanAction.plan_id,
      PlanAction.due_date, PlanAction.replans, PlanAction.original_due_date)


class SchedulerSweep(Base):
    """One finished scheduler sweep (migration 0017): the time it swept as of, the worker that ran it, how long it
    took and how many of each thing it did. ``/readyz`` and ``/metrics`` read the newest; a week is kept."""

    __tablename__ = "scheduler_sweep"
    id: Mapped[int] = mapped_column(primary_key=True)
    swept_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    worker: Mapped[str] = mapped_column(String(120))  # host:pid:random (notifications.sweep.worker_name)
    duration_ms: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
