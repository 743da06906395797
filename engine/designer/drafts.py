"""Drafts: a designer's unfinished change to a process, saved without deploying (it may be invalid: it is a draft)
and kept across sign-outs. One draft per process; every save names the revision it was made from, and a save from
an older revision is a ``Conflict`` naming who saved since, so two designers never overwrite each other silently.
Deploying a draft deploys its files as the next version (every problem refuses it, and the draft stays)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..bundles import definitions
from ..bundles.bpmn_xml import BPMN_NS, XmlRefused, parse_xml
from ..bundles.parsing import MAX_BUNDLE_BYTES, MAX_FILES
from ..errors import Conflict, InvalidData, NotFound, TooLarge
from ..reads import names
from ..records import DefinitionInfo
from ..store import audit
from ..store.models import ProcessDefinition, ProcessDraft
from ..text import key_in_words
from .records import DraftInfo

FILE_SUFFIXES = (".bpmn", ".dmn", ".json", ".md")


class _Unsaid:
    """A first save that does not say which version its files came from (older API clients)."""


UNSAID = _Unsaid()
MAX_NAME = 200


def open_draft(session: Session, key: str) -> DraftInfo:
    """The saved draft of ``key``; else the latest version's files (revision 0); else, for a process not yet
    deployed, a starter bundle (a start and an end). An invalid key is ``InvalidData``."""
    _check_key(key)
    row = session.get(ProcessDraft, key)
    if row is not None:
        return _info(row)
    latest = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key)
                            .order_by(ProcessDefinition.version.desc()).limit(1))
    if latest is not None:
        return DraftInfo(key=key, revision=0, files=dict(latest.files), base_version=latest.version)
    return DraftInfo(key=key, revision=0, files=starter_files(key))


def save_draft(session: Session, key: str, files: dict[str, str], *, revision: int, actor: str | None,
               now: datetime, base_version: int | None | _Unsaid = UNSAID) -> DraftInfo:
    """Save ``files`` as the draft of ``key``, made from ``revision`` (0 for a first save). The contents are not
    validated; the names and sizes are. A stale revision is a ``Conflict`` and saves nothing. A first save may name
    the ``base_version`` its files came from (None: a new process's starter): when another version was deployed
    since (a draft deployed and so removed, which puts the revision back to 0), that is a ``Conflict`` too, so
    files made from an older version never silently undo the newer one."""
    _check_key(key)
    _check_files(files)
    row = session.get(ProcessDraft, key, with_for_update=True)
    current = row.revision if row is not None else 0
    if revision != current:
        raise Conflict(_stale_message(session, row), {
            "revision": current, "updated_by": row.updated_by if row else None,
            "updated_by_name": _name(session, row.updated_by) if row else None,
            "updated_at": row.updated_at.isoformat() if row else None})
    if row is None:
        latest = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version.desc()).limit(1))
        base = latest.version if latest is not None else None
        if not isinstance(base_version, _Unsaid) and base_version != base and latest is not None:
            raise Conflict(f"version {base} was deployed since you opened this draft; open it again to start from "
                           f"version {base}", {"revision": 0, "updated_by": latest.deployed_by,
                                               "updated_by_name": _name(session, latest.deployed_by),
                                               "updated_at": latest.deployed_at.isoformat(), "version": base})
        row = ProcessDraft(key=key, files=dict(files), revision=1, base_version=base, created_by=actor,
                           created_at=now, updated_by=actor, updated_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # another designer's first save came first (the caller's transaction is lost)
            raise Conflict("someone else saved this draft at the same moment; open it again to see their changes",
                           {"revision": 1}) from None
    else:
        row.files = dict(files)
        row.revision = current + 1
        row.updated_by, row.updated_at = actor, now
    session.flush()
    audit.record(session, "definition.draft_saved", actor=actor, now=now, key=key, revision=row.revision)
    return _info(row)


def discard_draft(session: Session, key: str, *, actor: str | None, now: datetime) -> None:
    row = session.get(ProcessDraft, key)
    if row is None:
        raise NotFound(f"process {key!r} has no draft")
    session.delete(row)
    session.flush()
    audit.record(session, "definition.draft_discarded", actor=actor, now=now, key=key, revision=row.revision)


def deploy_draft(session: Session, key: str, *, revision: int, actor: str | None,
                 now: datetime) -> tuple[DefinitionInfo, bool]:
    """Deploy the saved draft of ``key`` (made from ``revision``: a stale one is a ``Conflict``) as the next
    version, and remove the draft. ``InvalidData`` lists every problem and keeps the draft."""
    row = session.get(ProcessDraft, key, with_for_update=True)
    if row is None:
        raise NotFound(f"process {key!r} has no draft")
    if revision != row.revision:
        raise Conflict(_stale_message(session, row), {"revision": row.revision, "updated_by": row.updated_by,
                                                      "updated_by_name": _name(session, row.updated_by),
                                             "updated_at": row.updated_at.isoformat()})
    info, created = definitions.deploy_bundle(session, key, dict(row.files), actor=actor, now=now)
    session.delete(row)
    session.flush()
    return info, created


def add_files(session: Session, key: str, files: dict[str, str], *, actor: str | None,
              now: datetime) -> DraftInfo:
    """Put ``files`` (another tool's export, a form, a decision table) into the draft of ``key``, replacing files of
    the same name, and save it; what does not run here is for validation to list. A process not yet deployed starts
    from the files alone (not the starter bundle), with a ``process_model.json`` naming the first diagram's first
    process when none is given."""
    draft = open_draft(session, key)
    new_process = draft.base_version is None and not draft.saved
    merged = ({} if new_process else dict(draft.files)) | dict(files)
    if "process_model.json" not in merged:
        merged["process_model.json"] = _model_for(key, merged)
    return save_draft(session, key, merged, revision=draft.revision, actor=actor, now=now)


def _model_for(key: str, files: dict[str, str]) -> str:
    """A ``process_model.json`` for files brought from elsewhere: the first diagram and its first executable (else
    first) process, by name."""
    model: dict[str, Any] = {"display_name": key_in_words(key), "description": "",
                             "start_roles": ["coordinator"]}
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        try:
            root = parse_xml(files[name], name)
        except XmlRefused:
            continue
        processes = root.findall(f"{{{BPMN_NS}}}process")
        chosen = next((p for p in processes if p.get("isExecutable") == "true"), processes[0] if processes else None)
        model |= {"primary_file_name": name, "primary_process_id": chosen.get("id", "") if chosen is not None else ""}
        if chosen is not None and (chosen.get("name") or "").strip():
            model["display_name"] = chosen.get("name", "").strip()[:200]
        break
    return json.dumps(model, indent=2) + "\n"


def starter_files(key: str) -> dict[str, str]:
    """A new process: a start event, one user task in a coordinator lane and an end event, ready to edit."""
    name = key_in_words(key)
    model = {"display_name": name, "description": "", "primary_file_name": f"{key}.bpmn",
             "primary_process_id": key, "start_roles": ["coordinator"]}
    return {"process_model.json": json.dumps(model, indent=2) + "\n", f"{key}.bpmn": _STARTER_BPMN.format(key=key,
                                                                                                        name=name)}


def _check_key(key: str) -> None:
    problem = definitions.key_problem(key)
    if problem:
        raise InvalidData("invalid process key", [{"field": "key", "message": problem}])


def _check_files(files: dict[str, str]) -> None:
    if len(files) > MAX_FILES or sum(len(t) for t in files.values()) > MAX_BUNDLE_BYTES:
        raise TooLarge(f"a draft may hold at most {MAX_FILES} files and {MAX_BUNDLE_BYTES} bytes")
    bad = [name for name in files if not _plain_name(name)]
    if bad:
        raise InvalidData("a file name is not allowed",
                          [{"field": f"files.{name[:MAX_NAME]}", "message": "a file name is a plain name ending in "
                            f"{', '.join(FILE_SUFFIXES)}, with no folder"} for name in bad])


def _plain_name(name: str) -> bool:
    return (0 < len(name) <= MAX_NAME and name.endswith(FILE_SUFFIXES) and "/" not in name and "\\" not in name
            and not name.startswith(".") and name.isprintable())


def _stale_message(session: Session, row: ProcessDraft | None) -> str:
    if row is None:
        return "the draft was discarded since you opened it; open the process again"
    who = _name(session, row.updated_by) or "someone"
    return f"{who} saved this draft since you opened it; open it again to see their changes"


def _name(session: Session, username: str | None) -> str | None:
    """The person's full name (a username that names nobody, such as the command line's, as it is)."""
    return names.full_names(session, [username]).get(username or "", username) if username else None


def _info(row: ProcessDraft) -> DraftInfo:
    return DraftInfo(key=row.key, revision=row.revision, files=dict(row.files), base_version=row.base_version,
                     updated_by=row.updated_by, updated_at=row.updated_at)


_STARTER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_{key}">
    <bpmn:participant id="Participant_{key}" name="{name}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_{key}">
      <bpmn:lane id="Lane_coordinator" name="coordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Started">
      <bpmn:outgoing>flow_start_end</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end" name="Finished">
      <bpmn:incoming>flow_start_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_{key}">
    <bpmndi:BPMNPlane id="Plane_{key}" bpmnElement="Collaboration_{key}">
      <bpmndi:BPMNShape id="Participant_{key}_di" bpmnElement="Participant_{key}" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_coordinator_di" bpmnElement="Lane_coordinator" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="612" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_end_di" bpmnElement="flow_start_end">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="612" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
