"""Child matching: a further referral for a child who already has an open case reaches that case instead of opening
a duplicate.

A process declares in ``process_model.json``::

    "child_match": {"nhs_number": VAR, "initials": VAR, "dob": VAR, "local_authority": VAR,
                    "payload": VAR, "link_message": NAME}

Each case of it keeps a keyed hash (HMAC-SHA256 with the deployment's secret, ``LIF_CHILD_MATCH_SECRET``) of the
child, one per basis its data gives: ``nhs`` (the NHS number: ten digits whose last is the modulus 11 check digit)
and ``details`` (initials as upper-case letters, the date of birth as an ISO date, and the local authority, case
and spacing ignored). Only the hashes are stored (``child_match_key``), never the identifiers; without the secret
they cannot be turned back into NHS numbers by trying them all. The variables are read from the case's data, or
from the dict in its ``payload`` variable (the referral the case began with) when the case has no such variable.

When a message would start a case of such a process, the keys are computed from the message's payload (the
dict itself, or its ``payload`` entry). A referral and an active case are the same child when they share a key,
except that two different NHS numbers never match (twins may share initials, date of birth and authority). So:
- a referral with an NHS number matches a case recorded with it even when the initials differ;
- the same initials and date of birth in another local authority are another child;
- a case recorded without an NHS number matches a referral with one through their details, since the referral
  has a ``details`` key too when it gives them; a referral that gives only an NHS number matches only a case that
  has one. Any identifier missing from both sides' shared basis means no match, and a case is opened as before.
Without a secret (a session not made from a ``Config``), no key is kept and nothing is matched.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..states import InstanceStatus
from ..store.db import step_settings
from ..store.models import ChildMatchKey, ProcessDefinition, ProcessInstance

NHS, DETAILS = "nhs", "details"
IDENTIFIERS = ("nhs_number", "initials", "dob", "local_authority")
_SYNCED = "child_keys"  # the keys a cached workflow's last save left stored (``Workflow.synced``)


@dataclass(frozen=True)
class Declaration:
    """A process's ``child_match``: the variables naming the child, and the message that links a referral."""
    variables: dict[str, str]  # identifier (IDENTIFIERS) -> the case variable holding it
    payload: str | None
    link_message: str

    @classmethod
    def of(cls, model: dict[str, Any] | None) -> Declaration | None:
        found = (model or {}).get("child_match")
        if not isinstance(found, dict) or not isinstance(found.get("link_message"), str):
            return None  # a deployed declaration passed the deploy checks (bundles.validation)
        variables = {name: found[name] for name in IDENTIFIERS if isinstance(found.get(name), str)}
        payload = found.get("payload") if isinstance(found.get("payload"), str) else None
        return cls(variables, payload, found["link_message"])


@dataclass(frozen=True)
class Match:
    instance_id: str
    basis: str  # the basis of the shared key: nhs or details


# --- normalising ---------------------------------------------------------------------------------------------

def nhs_number(value: Any) -> str | None:
    """The ten digits of a valid NHS number (spaces and dashes ignored), or None: a number whose check digit is
    wrong is a typing error, and matching on it would link the wrong child."""
    digits = re.sub(r"[\s-]", "", str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d{10}", digits):
        return None
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return digits if check != 10 and check == int(digits[9]) else None


def initials(value: Any) -> str | None:
    letters = re.sub(r"[^A-Z]", "", value.upper()) if isinstance(value, str) else ""
    return letters or None


def date_of_birth(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()[:10]
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def local_authority(value: Any) -> str | None:
    words = " ".join(value.casefold().split()) if isinstance(value, str) else ""
    return words or None


# --- keys ------------------------------------------------------------------------------------------------------

def child_keys(data: Any, declaration: Declaration, secret: str) -> dict[str, str]:
    """The child's keys by basis, from ``data`` (a case's variables, or a referral's payload); empty without a
    secret or without the identifiers of either basis."""
    if not secret or not isinstance(data, dict):
        return {}
    nested = data.get(declaration.payload) if declaration.payload else None
    nested = nested if isinstance(nested, dict) else {}

    def value(identifier: str) -> Any:
        name = declaration.variables.get(identifier)
        if name is None:
            return None
        found = data.get(name)
        return found if found not in (None, "") else nested.get(name)

    keys = {}
    number = nhs_number(value("nhs_number"))
    if number:
        keys[NHS] = _hmac(secret, NHS, number)
    details = (initials(value("initials")), date_of_birth(value("dob")), local_authority(value("local_authority")))
    if all(details):
        keys[DETAILS] = _hmac(secret, DETAILS, "\x1f".join(d for d in details if d))
    return keys


def _hmac(secret: str, basis: str, text: str) -> str:
    return hmac.new(secret.encode(), f"{basis}\x1f{text}".encode(), hashlib.sha256).hexdigest()


def secret_of(session: Session) -> str:
    return step_settings(session).child_match_secret


# --- keeping a case's keys current -----------------------------------------------------------------------------

def keep_keys(session: Session, instance: ProcessInstance, data: dict[str, Any], synced: dict[str, Any]) -> None:
    """Store the case's keys as its data now gives them, when they changed. ``synced`` is the cached workflow's
    record of what its last save stored, so a step that changes nothing reads and writes no row."""
    declaration = Declaration.of(instance.definition.model)
    if declaration is None:
        return
    wanted = child_keys(data, declaration, secret_of(session))
    if synced.get(_SYNCED) == wanted:
        return
    stored = {row.basis: row for row in session.scalars(select(ChildMatchKey)
                                                         .where(ChildMatchKey.instance_id == instance.id))}
    for basis, row in stored.items():
        if basis not in wanted:
            session.delete(row)
        elif row.key_hash != wanted[basis]:
            row.key_hash = wanted[basis]
    for basis in wanted.keys() - stored.keys():
        session.add(ChildMatchKey(instance_id=instance.id, basis=basis, key_hash=wanted[basis]))
    synced[_SYNCED] = wanted


def erase_keys(session: Session, instance_id: str) -> int:
    """Drop a case's keys (its disposal); how many there were."""
    result: Any = session.execute(delete(ChildMatchKey).where(ChildMatchKey.instance_id == instance_id),
                                  execution_options={"synchronize_session": False})
    return int(result.rowcount or 0)


# --- finding the open case -------------------------------------------------------------------------------------

def open_cases_for(session: Session, definition: ProcessDefinition, declaration: Declaration,
                   payload: Any) -> list[Match]:
    """The active cases of ``definition``'s process about the child ``payload`` names, best first: those sharing
    the NHS number, then those sharing the details whose NHS number (when both have one) is the same; the oldest
    first within each."""
    keys = child_keys(payload, declaration, secret_of(session))
    if not keys:
        return []
    rows = session.execute(
        select(ChildMatchKey.instance_id, ChildMatchKey.basis, ChildMatchKey.key_hash)
        .join(ProcessInstance, ProcessInstance.id == ChildMatchKey.instance_id)
        .where(ProcessInstance.process_key == definition.key, ProcessInstance.status == InstanceStatus.ACTIVE,
               ChildMatchKey.instance_id.in_(select(ChildMatchKey.instance_id)
                                             .where(ChildMatchKey.key_hash.in_(list(keys.values())))))
        .order_by(ProcessInstance.created_at, ProcessInstance.id)).all()
    cases: dict[str, dict[str, str]] = {}
    for instance_id, basis, key_hash in rows:
        cases.setdefault(instance_id, {})[basis] = key_hash
    found: list[Match] = []
    for basis in (NHS, DETAILS):
        for instance_id, theirs in cases.items():
            other_child = basis == DETAILS and NHS in theirs and NHS in keys and theirs[NHS] != keys[NHS]
            if basis in keys and theirs.get(basis) == keys[basis] and not other_child \
                    and instance_id not in {m.instance_id for m in found}:
                found.append(Match(instance_id, basis))
    return found
