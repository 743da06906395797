"""The demonstration partnership: its agencies, its people (one user per role and agency, all invented) and the one
demo password; and ``People``, the partnership as the forms see it, which the scenario tests fill with their own
smaller partnership.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.people import accounts, passwords
from engine.records import Actor


@dataclass(frozen=True)
class People:
    """The partnership as the forms see it: who coordinates, who chairs, and each agency's lead reviewer."""

    coordinator: str
    chair: str
    leads: Mapping[str, str]  # agency key -> username of that agency's lead (role reviewer)
    partners: Mapping[str, str] = field(default_factory=dict)  # partner agency key -> its partner's username

    @property
    def agencies(self) -> list[str]:
        return list(self.leads)

    def lead(self, agency: str) -> str:
        return self.leads[agency]

    def agency_of(self, username: str) -> str | None:
        return next((a for a, u in [*self.leads.items(), *self.partners.items()] if u == username), None)

    def actor(self, username: str) -> Actor:
        """The actor for a username of this partnership."""
        roles: set[str] = set()
        if username == self.coordinator:
            roles.add("coordinator")
        if username == self.chair:
            roles.add("chair")
        agency = self.agency_of(username)
        if username in self.partners.values():
            roles.add("partner")
        elif agency is not None:
            roles.add("reviewer")
        return Actor(username, frozenset(roles or {"reviewer"}), agency)

    def actor_for(self, role: str | None, agency: str | None, assignee: str | None) -> Actor:
        """Who does a task offered to ``role`` / bound to ``agency`` / assigned to ``assignee``."""
        if assignee:
            return self.actor(assignee)
        if role == "partner" and agency:
            return self.actor(self.partners[agency])
        if agency:
            return self.actor(self.lead(agency))
        if role == "chair":
            return self.actor(self.chair)
        if role == "coordinator" or role is None:
            return self.actor(self.coordinator)
        return self.actor(self.lead(self.agencies[0]))


DEMO_PASSWORD = "demo-password"
AGENCIES = [
    ("police", "Police"), ("csc", "Children's Social Care"), ("acute_health", "City Hospitals NHS Trust"),
    ("community_health", "Community Health NHS Trust"),
    ("icb", "Integrated Care Board"), ("education", "Education"), ("probation", "Probation"),
    ("yjs", "Youth Justice Service"), ("cafcass", "CAFCASS"), ("voluntary", "Family Support Network (voluntary)"),
]
STAFF = [  # invented people
    ("coordinator", "Cora Linwood (business manager)", ["coordinator"], None),
    ("chair", "Hollis Varga (independent chair)", ["chair"], None),
    ("designer", "Devika Marsh (process designer)", ["designer"], None),
    ("admin", "Alex Quill (system administrator)", ["admin"], None),
    ("reviewer", "Riley Okonjo-Fenn (independent reviewer)", ["reviewer"], None),
    ("scrutineer", "Sunita Abara (independent scrutineer)", ["scrutineer"], None),
]
# The statutory partners (Children Act 2004 s16E) and, for each, its delegated safeguarding partner.
PARTNER_KINDS = {"csc": "la", "icb": "icb", "police": "police"}
PARTNER_STAFF = [
    ("csc.partner", "Morgan Ellery (director of children's services, delegated partner)", "csc"),
    ("icb.partner", "Priya Castell (chief nurse, delegated partner)", "icb"),
    ("police.partner", "Dana Whitlow (detective superintendent, delegated partner)", "police"),
]
PEOPLE = People(coordinator="coordinator", chair="chair", leads={key: f"{key}.lead" for key, _ in AGENCIES},
                partners={agency: username for username, _, agency in PARTNER_STAFF})


def add_partnership(session: Session, now: datetime) -> None:
    """Add the agencies (three marked as the statutory partners), the staff, one safeguarding lead per agency (each
    agency's senior lead) and a delegated safeguarding partner for each partner agency."""
    for key, name in AGENCIES:
        accounts.add_agency(session, key, name, actor="lif demo", now=now)
        if key in PARTNER_KINDS:
            accounts.set_partner_kind(session, key, PARTNER_KINDS[key], actor="lif demo", now=now)
    users = [*STAFF, *((f"{key}.lead", f"{name} safeguarding lead", ["reviewer"], key) for key, name in AGENCIES),
             *((username, full_name, ["partner"], agency) for username, full_name, agency in PARTNER_STAFF)]
    shared_hash = accounts.hash_password(DEMO_PASSWORD)  # one argon2 hash for the one demo password: quick
    for username, full_name, roles, agency in users:
        user = accounts.add_user(session, username, roles=roles, agency_key=agency, full_name=full_name,
                                 email=f"{username}@example.org", actor="lif demo", now=now)
        passwords.check(DEMO_PASSWORD, username=username)  # the demo follows the password policy too
        user.password_hash = shared_hash
    for key, _ in AGENCIES:
        accounts.set_senior_lead(session, key, f"{key}.lead", actor="lif demo", now=now)
