"""The statutory partners a process needs (``process_model.json`` ``"partners"``: some of ``la``, ``icb``,
``police``) and the case variables the engine gives every case of it, so that the decisions the law gives to the
partners can be multi-instance tasks bound to their agencies (SPEC §1, Children Act 2004 s16E)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..store.models import PARTNER_KINDS

# Set by the engine when a case of a process that declares ``partners`` starts (engine.cases.partners):
SAFEGUARDING_PARTNERS = "safeguarding_partners"  # every partner agency's key: la first, then icb, then police
CDR_PARTNERS = "cdr_partners"  # the child death review partners: the local authorities and the ICBs
LOCAL_AUTHORITY = "local_authority"  # the first local authority's key
PARTNER_VARIABLES = (SAFEGUARDING_PARTNERS, CDR_PARTNERS, LOCAL_AUTHORITY)
KIND_NAMES = {"la": "the local authority", "icb": "the integrated care board", "police": "the police"}


def needed_kinds(model: Mapping[str, Any]) -> tuple[str, ...]:
    """The partner kinds a process needs, in the order of ``PARTNER_KINDS``; none when it declares none."""
    kinds = model.get("partners")
    return tuple(k for k in PARTNER_KINDS if k in kinds) if isinstance(kinds, list) else ()


def partners_problem(value: Any) -> str | None:
    """Why ``"partners"`` of a process_model.json is not a list of partner kinds; None when it is (or absent)."""
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(k, str) for k in value):
        return f"partners must be a list of one or more of {', '.join(PARTNER_KINDS)}"
    unknown = sorted({k for k in value if k not in PARTNER_KINDS})
    if unknown:
        return f"partners: {unknown[0]!r} is not one of {', '.join(PARTNER_KINDS)}"
    return f"partners names {value[0]!r} twice" if len(set(value)) != len(value) else None
