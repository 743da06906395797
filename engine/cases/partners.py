"""The statutory partners a starting case needs, read from the agencies an administrator marked
(``lif agency partner KEY la|icb|police``). They are fixed in the case's data when it starts, so a case keeps
the partners it began with and its sign-offs stay bound to the agencies that were asked."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bundles import partners
from ..errors import Conflict
from ..store.models import PARTNER_KINDS, Agency


def case_variables(session: Session, model: Mapping[str, Any]) -> dict[str, Any]:
    """The partner variables of a new case of a process with ``model``; ``Conflict`` while a kind it needs has
    no agency (the sign-offs would go to no one). Nothing for a process that declares no partners."""
    needed = partners.needed_kinds(model)
    if not needed:
        return {}
    rows = session.execute(select(Agency.key, Agency.partner_kind).where(Agency.partner_kind.is_not(None))).all()
    by_kind = {kind: sorted(key for key, k in rows if k == kind) for kind in PARTNER_KINDS}
    missing = [kind for kind in needed if not by_kind[kind]]
    if missing:
        names = " or ".join(partners.KIND_NAMES[k] for k in missing)
        raise Conflict(f"no agency is recorded as {names}: an administrator marks the statutory partners "
                       "(lif agency partner KEY la|icb|police) before this process can start")
    return {
        partners.SAFEGUARDING_PARTNERS: [key for kind in PARTNER_KINDS for key in by_kind[kind]],
        partners.CDR_PARTNERS: by_kind["la"] + by_kind["icb"],
        partners.LOCAL_AUTHORITY: by_kind["la"][0] if by_kind["la"] else None,
    }
