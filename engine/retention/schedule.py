"""Each case's retention date, from the policy of the version it runs on, and the list of cases past theirs.

The list reads one query per deployed version that declares a policy (a few dozen at most), each on the index of
that version's cases by when they ended, up to its cut-off date, so its cost follows the cases that
are due, not every case ever run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bundles.retention_policy import RetentionPolicy, policy_of
from ..records import Actor
from ..states import FINISHED_STATUSES
from ..store.models import CaseStatistics, ProcessDefinition, ProcessInstance
from . import holds

MARGIN = timedelta(days=4)  # month ends and leap days: the cut-off is widened, then each date checked exactly


@dataclass(frozen=True)
class RetentionInfo:
    """Where a case stands: its version's policy, its date (None while it has none), an open hold, disposal."""

    policy: RetentionPolicy | None
    retention_date: datetime | None
    hold: holds.HoldInfo | None
    disposed_at: datetime | None

    @property
    def period_in_words(self) -> str | None:
        return self.policy.describe() if self.policy else None


@dataclass(frozen=True)
class DueCase:
    """A case past its retention date, for the report and the disposal page."""

    instance_id: str
    business_key: str
    process_key: str
    process_name: str
    version: int
    status: str
    retention_date: datetime
    hold: holds.HoldInfo | None

    @property
    def held(self) -> bool:
        return self.hold is not None


def retention_of(session: Session, instance: ProcessInstance) -> RetentionInfo:
    policy = policy_of(instance.definition.model)
    date = policy.retention_date(instance.created_at, _ended_at(instance)) if policy else None
    disposed_at = session.scalar(select(CaseStatistics.disposed_at).where(CaseStatistics.instance_id == instance.id))
    return RetentionInfo(policy, date, holds.open_hold(session, instance.id), disposed_at)


def cases_past_retention(session: Session, now: datetime, *, actor: Actor) -> list[DueCase]:
    """Every case not yet disposed whose retention date is ``now`` or earlier, the earliest first; held cases
    included (and marked), since a coordinator reviews them too."""
    holds.require_coordinator(actor, "the retention report")
    found: list[tuple[ProcessInstance, datetime]] = []
    for definition in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                          ProcessDefinition.version)):
        policy = policy_of(definition.model)
        if policy is not None:
            found += _past(session, definition, policy, now)
    found.sort(key=lambda pair: (pair[1], pair[0].business_key))
    held = {i: holds.open_hold(session, i) for i in holds.held_instance_ids(session, [r.id for r, _ in found])}
    return [DueCase(row.id, row.business_key, row.process_key, row.definition.name, row.definition.version,
                    row.status, date, held.get(row.id)) for row, date in found]


def _past(session: Session, definition: ProcessDefinition, policy: RetentionPolicy,
          now: datetime) -> list[tuple[ProcessInstance, datetime]]:
    cutoff = now - policy.delta + MARGIN  # now less the period, widened
    column = ProcessInstance.created_at if policy.counted_from == "start" else ProcessInstance.completed_at
    query = select(ProcessInstance).where(ProcessInstance.definition_id == definition.id, column <= cutoff,
                                          ~select(CaseStatistics.instance_id).where(
                                              CaseStatistics.instance_id == ProcessInstance.id).exists())
    if policy.counted_from == "completion":
        query = query.where(ProcessInstance.status.in_(FINISHED_STATUSES))
    out = []
    for row in session.scalars(query):
        date = policy.retention_date(row.created_at, _ended_at(row))
        if date is not None and date <= now:
            out.append((row, date))
    return out


def _ended_at(instance: ProcessInstance) -> datetime | None:
    """When the case ended (completed or cancelled); None while it runs or stands in error."""
    return instance.completed_at if instance.status in FINISHED_STATUSES else None
