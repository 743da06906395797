"""Messages have owners (SPEC §3): a message name belongs to the processes (by key) whose deployed versions throw
or catch it, and to those allowed to receive it. A deploy whose diagrams catch a message (by a message start
event, an intermediate catch event, a boundary event or a receive task) that another process owns is refused
unless an admin has allowed that process to receive it; otherwise a new process could receive, say, the referral
payload of every real case by catching ``scr_referral``.

Allowed pairings live in ``message_pairing``: those the shipped bundles need are there from the start (so they
deploy in any order, and a process deployed before them cannot take their messages), an admin adds and withdraws
others (audited), and a process that is the first to use a message is recorded as allowed to receive it, so that
it may be redeployed once others throw it too. Throwing is not restricted: a thrower gains nobody's data.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import text
from ..errors import InvalidData, NotFound
from ..records import MessagePairingInfo
from ..spiff.parser import MessageEvent
from ..states import PairingReason
from ..store import audit
from ..store.models import MessagePairing, ProcessDefinition
from .bpmn_xml import Problem, parse_xml
from .parsing import stored_message_events

log = logging.getLogger(__name__)
PROCESS_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # as a deployed process's key
MAX_MESSAGE_NAME = 128
_CATCHING_KINDS = {"startEvent": "message start event", "intermediateCatchEvent": "intermediate catch event",
                   "boundaryEvent": "boundary event", "receiveTask": "receive task"}
_STORED: dict[tuple[int, str], dict[str, list[str]]] = {}


def declared(events: Iterable[MessageEvent]) -> dict[str, list[str]]:
    """What a version records: ``{"throws": [names], "catches": [names]}``."""
    events = list(events)
    return {"throws": sorted({e.name for e in events if not e.catches}),
            "catches": sorted({e.name for e in events if e.catches})}


def check_receivers(session: Session, key: str, events: Iterable[MessageEvent], files: dict[str, str], *,
                    actor: str | None, now: datetime) -> None:
    """Refuse (``InvalidData``, a problem on each catching element) a bundle of ``key`` catching a message another
    process owns, unless ``key`` is allowed to receive it; record ``key`` as allowed for the messages it is the
    first to catch. Call before storing the version: a refusal stores nothing."""
    events = list(events)
    problems = receiver_problems(session, key, events, files)
    if problems:
        raise InvalidData(f"process {key!r} catches messages other processes own", [p.as_dict() for p in problems])
    names = {e.name for e in events if e.catches}
    if not names:
        return
    allowed = _allowed(session, key, names)
    for name in sorted(names - allowed):
        session.add(MessagePairing(process_key=key, message_name=name, reason=PairingReason.FIRST,
                                   allowed_by=actor, allowed_at=now))
        audit.record(session, "message.receiver_allowed", actor=actor, now=now, process_key=key, message=name,
                     reason=PairingReason.FIRST.value)


def receiver_problems(session: Session, key: str, events: Iterable[MessageEvent],
                      files: dict[str, str]) -> list[Problem]:
    """A problem on each catching element whose message another process owns and ``key`` is not allowed to
    receive; writes nothing (the designer's validation asks this of a draft)."""
    catching = sorted((e for e in events if e.catches), key=lambda e: (e.file, e.element, e.name))
    names = {e.name for e in catching}
    if not names:
        return []
    allowed = _allowed(session, key, names)
    owners = owners_of(session, names - allowed)
    return [_refusal(key, event, sorted(owners[event.name] - {key}), files) for event in catching
            if event.name not in allowed and owners[event.name] - {key}]


def _allowed(session: Session, key: str, names: set[str]) -> set[str]:
    return set(session.scalars(select(MessagePairing.message_name).where(
        MessagePairing.process_key == key, MessagePairing.message_name.in_(names))))


def owners_of(session: Session, names: set[str]) -> dict[str, set[str]]:
    """For each message name: the processes whose deployed versions throw or catch it, or allowed to receive it."""
    owners: dict[str, set[str]] = {name: set() for name in names}
    if not names:
        return owners
    allowed = session.execute(select(MessagePairing.process_key, MessagePairing.message_name)
                              .where(MessagePairing.message_name.in_(names)))
    for process_key, name in allowed:
        owners[name].add(process_key)
    versions = session.execute(select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.content_hash,
                                      ProcessDefinition.messages))
    for definition_id, process_key, content_hash, messages in versions:
        messages = messages if messages is not None else _stored(session, definition_id, content_hash)
        for name in names & {*messages.get("throws", []), *messages.get("catches", [])}:
            owners[name].add(process_key)
    return owners


def _stored(session: Session, definition_id: int, content_hash: str) -> dict[str, list[str]]:
    """The messages of a version deployed before versions recorded them, read from its files once per process."""
    found = _STORED.get((definition_id, content_hash))
    if found is None:
        files = session.scalar(select(ProcessDefinition.files).where(ProcessDefinition.id == definition_id)) or {}
        try:
            found = declared(stored_message_events(files))
        except Exception:  # noqa: BLE001 - a version that no longer parses owns nothing it could still run
            log.warning("could not read the messages of process definition %s", definition_id, exc_info=True)
            found = {"throws": [], "catches": []}
        _STORED[(definition_id, content_hash)] = found
    return found


def _refusal(key: str, event: MessageEvent, others: list[str], files: dict[str, str]) -> Problem:
    element = _element(files, event)
    kind = _CATCHING_KINDS.get(etree.QName(element).localname, "element") if element is not None else "element"
    return Problem(event.file, f"{kind} {event.element!r} catches message {event.name!r}, which belongs to "
                               f"{', '.join(others)}; an admin must first allow {key} to receive it "
                               f"(lif message allow {key} {event.name})",
                   element.sourceline if element is not None else None, event.element)


def _element(files: dict[str, str], event: MessageEvent) -> etree._Element | None:
    if event.file not in files:
        return None
    found = parse_xml(files[event.file], event.file).xpath("//*[@id=$id]", id=event.element)
    return found[0] if found else None


def allow(session: Session, key: str, message: str, *, actor: str | None, now: datetime) -> tuple[MessagePairingInfo,
                                                                                                    bool]:
    """Allow process ``key`` to receive ``message`` (audited); ``False`` when it already was."""
    _check_pairing(key, message)
    row = session.get(MessagePairing, (key, message))
    created = row is None
    if row is None:
        row = MessagePairing(process_key=key, message_name=message, reason=PairingReason.ADMIN, allowed_by=actor,
                             allowed_at=now)
        session.add(row)
        session.flush()
        audit.record(session, "message.receiver_allowed", actor=actor, now=now, process_key=key, message=message,
                     reason=PairingReason.ADMIN.value)
    return _info(session, row), created


def disallow(session: Session, key: str, message: str, *, actor: str | None, now: datetime) -> MessagePairingInfo:
    """Withdraw process ``key``'s pairing with ``message`` (audited); the pairing as it was. Versions already
    deployed keep their diagrams; a new version catching the message is refused while another process owns it."""
    row = session.get(MessagePairing, (key, message))
    if row is None:
        raise NotFound(f"{key} is not allowed to receive message {message!r}")
    withdrawn = _info(session, row)
    session.delete(row)
    session.flush()
    audit.record(session, "message.receiver_withdrawn", actor=actor, now=now, process_key=key, message=message,
                 reason=withdrawn.reason)
    return withdrawn


def pairings(session: Session) -> list[MessagePairingInfo]:
    """Every allowed pairing, by message and process."""
    rows = session.scalars(select(MessagePairing).order_by(MessagePairing.message_name, MessagePairing.process_key))
    names = _process_names(session)
    return [_info(session, row, names) for row in rows]


def _info(session: Session, row: MessagePairing, names: dict[str, str] | None = None) -> MessagePairingInfo:
    names = names if names is not None else _process_names(session)
    return MessagePairingInfo(process_key=row.process_key, process_name=names.get(row.process_key),
                              message_name=row.message_name, reason=row.reason, allowed_by=row.allowed_by,
                              allowed_at=row.allowed_at)


def _process_names(session: Session) -> dict[str, str]:
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.key).subquery()
    rows = session.execute(select(ProcessDefinition.key, ProcessDefinition.name).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.v)))
    return {key: name for key, name in rows}


def _check_pairing(key: str, message: str) -> None:
    problems = []
    if not PROCESS_KEY.match(key):
        problems.append({"field": "process_key", "message": "use lower-case letters, digits and _, starting with a "
                                                            "letter (at most 64)"})
    if not message.strip() or len(message) > MAX_MESSAGE_NAME or text.problem(message) or message != message.strip():
        problems.append({"field": "message_name", "message": f"enter the message's name as the diagrams give it: "
                                                             f"one line of at most {MAX_MESSAGE_NAME} characters"})
    if problems:
        raise InvalidData("invalid pairing", problems)
