"""A believable demonstration partnership: agencies, one user per role and agency, and cases of every
deployed process. Invented names and pseudonyms only; no real person appears."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from . import accounts, definitions, instances
from .db import transaction
from .models import Agency, ProcessInstance
from .records import SYSTEM

DEMO_PASSWORD = "demo-password"
AGENCIES = [
    ("police", "Police"), ("csc", "Children's Social Care"), ("acute_health", "City Hospitals NHS Trust"),
    ("community_health", "Community Health NHS Trust"), ("education", "Education"), ("probation", "Probation"),
    ("yjs", "Youth Justice Service"), ("cafcass", "CAFCASS"), ("voluntary", "Family Support Network (voluntary)"),
]
STAFF = [
    ("coordinator", "Cora Bennett", ["coordinator"], None),
    ("chair", "Charles Adeyemi", ["chair"], None),
    ("designer", "Dev Patel", ["designer"], None),
    ("admin", "Alex Morgan", ["admin"], None),
]


def load_demo(factory: sessionmaker[Session], *, now: datetime) -> str:
    with transaction(factory) as session:
        if session.scalar(select(func.count()).select_from(Agency)):
            return "demo data already present; nothing loaded"
        _people(session, now)
    started = 0
    with transaction(factory) as session:
        for info in definitions.list_latest(session):
            for _ in range(2):
                instances.start_instance(session, info.key, actor=SYSTEM, now=now)
                started += 1
        total = session.scalar(select(func.count()).select_from(ProcessInstance))
    return f"demo partnership loaded: {len(AGENCIES)} agencies, {len(STAFF) + len(AGENCIES)} users, " \
           f"{started} cases started ({total} in all); every password is {DEMO_PASSWORD!r}"


def _people(session: Session, now: datetime) -> None:
    for key, name in AGENCIES:
        accounts.add_agency(session, key, name, actor="lif demo", now=now)
    for username, full_name, roles, agency in STAFF:
        accounts.add_user(session, username, roles=roles, agency_key=agency, full_name=full_name,
                          email=f"{username}@example.org", password=DEMO_PASSWORD, actor="lif demo", now=now)
    for key, name in AGENCIES:
        accounts.add_user(session, f"{key}.lead", roles=["reviewer"], agency_key=key,
                          full_name=f"{name} safeguarding lead", email=f"{key}.lead@example.org",
                          password=DEMO_PASSWORD, actor="lif demo", now=now)
