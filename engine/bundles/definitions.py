"""Deploying process bundles as immutable, numbered versions, and reading them back."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidData, NotFound
from ..records import DefinitionInfo
from ..store import audit
from ..store.models import ProcessDefinition
from . import message_owners
from .parsing import ParsedBundle, content_hash, parse_bundle, read_bundle_dir
from .stored import files_of  # noqa: F401  (where callers have always found it)

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def deploy_bundle(session: Session, key: str, files: dict[str, str], *, actor: str | None,
                  now: datetime) -> tuple[DefinitionInfo, bool]:
    """Deploy ``files`` as the next version of ``key``. Identical files return the existing version and
    ``False``; anything invalid raises ``InvalidData`` and stores nothing."""
    problem = key_problem(key)
    if problem:
        raise InvalidData("invalid process key", [{"field": "key", "message": problem}])
    latest = _latest_row(session, key)
    if latest is not None and latest.content_hash == content_hash(files):
        return _info(latest), False
    return deploy_parsed(session, parse_bundle(key, files), actor=actor, now=now), True


def deploy_parsed(session: Session, parsed: ParsedBundle, *, actor: str | None, now: datetime) -> DefinitionInfo:
    """Deploy a bundle ``parse_bundle`` has read (and found valid) as the next version of its key."""
    key = parsed.key
    latest = _latest_row(session, key)
    check_process_ids_owned(session, parsed)
    message_owners.check_receivers(session, key, parsed.message_events, parsed.files, actor=actor, now=now)
    version = (latest.version + 1) if latest is not None else 1
    row = ProcessDefinition(
        key=key, version=version, name=parsed.name, description=parsed.description,
        content_hash=parsed.content_hash, primary_process_id=parsed.primary_process_id,
        primary_file_name=parsed.primary_file_name, process_ids=parsed.process_ids,
        message_starts=parsed.message_starts, model=parsed.model, files=parsed.files,
        spec_json=parsed.spec_json, deployed_at=now, deployed_by=actor,
        messages=message_owners.declared(parsed.message_events),
    )
    session.add(row)
    session.flush()
    audit.record(session, "definition.deployed", actor=actor, now=now, key=key, version=version,
                 content_hash=parsed.content_hash)
    return _info(row)


def deploy_directory(session: Session, path: Path, *, actor: str | None, now: datetime) -> tuple[DefinitionInfo, bool]:
    return deploy_bundle(session, path.name, read_bundle_dir(path), actor=actor, now=now)


def deploy_all(session: Session, workflows_dir: Path, *, actor: str | None,
               now: datetime) -> list[tuple[DefinitionInfo, bool]]:
    return [deploy_directory(session, p, actor=actor, now=now) for p in sorted(workflows_dir.iterdir())
            if (p / "process_model.json").is_file()]


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot name a process, or None."""
    return None if _KEY.match(key) else "use lower-case letters, digits and _, starting with a letter (at most 64)"


def check_process_ids_owned(session: Session, parsed: ParsedBundle) -> None:
    for row in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key != parsed.key)):
        clash = set(row.process_ids) & set(parsed.process_ids)
        if clash:
            raise Conflict(f"process id(s) {sorted(clash)} already belong to process {row.key!r}",
                           {"process_ids": sorted(clash), "owner": row.key})


def _latest_row(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key)
                          .order_by(ProcessDefinition.version.desc()).limit(1))


def latest(session: Session, key: str) -> ProcessDefinition:
    row = _latest_row(session, key)
    if row is None:
        raise NotFound(f"no process definition {key!r}")
    return row


def get_version(session: Session, key: str, version: int | None) -> ProcessDefinition:
    if version is None:
        return latest(session, key)
    row = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                         ProcessDefinition.version == version))
    if row is None:
        raise NotFound(f"no version {version} of process definition {key!r}")
    return row


def list_latest(session: Session) -> list[DefinitionInfo]:
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.key).subquery()
    rows = session.scalars(select(ProcessDefinition).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.key))
    return [_info(r) for r in rows]


def versions(session: Session, key: str) -> list[DefinitionInfo]:
    rows = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version)))
    if not rows:
        raise NotFound(f"no process definition {key!r}")
    return [_info(r) for r in rows]


def bpmn_xml(session: Session, key: str, version: int | None) -> str:
    row = get_version(session, key, version)
    return row.files[row.primary_file_name]


def message_start_targets(session: Session, message_name: str) -> list[ProcessDefinition]:
    """The latest version of every process whose diagram starts on ``message_name``."""
    return [row for info in list_latest(session)
            if message_name in (row := latest(session, info.key)).message_starts]


def _info(row: ProcessDefinition) -> DefinitionInfo:
    return DefinitionInfo(key=row.key, name=row.name, version=row.version, deployed_at=row.deployed_at,
                          description=row.description, process_ids=tuple(row.process_ids))
