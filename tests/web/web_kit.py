"""Helpers for the page tests: signing in a test client, reading CSRF tokens and links out of pages, and
driving a shipped CDOP case to its agency reports through the engine's services."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.cases import instances
from engine.records import Actor
from engine.store.db import transaction
from engine.store.models import HumanTask
from engine.work import tasks
from tests.conftest import PASSWORDS

REPO = Path(__file__).resolve().parent.parent.parent
WORKFLOWS = REPO / "workflows"
BUNDLES = Path(__file__).resolve().parent / "bundles"

NOTIFICATION = {"notification_date": "2026-11-30", "urn": "CDOP-123", "pseudonym": "Child A",
                "child_dob": "2020-05-01", "child_sex": "female", "date_of_death": "2026-11-28",
                "expected_death": "unexpected", "location_of_death": "hospital",
                "circumstances": "Sudden collapse at home; taken to hospital.",
                # the 2018 notification's fields (issue 12); no JAR criterion applies, so no JAR
                "child_initials": "AB", "nhs_number_status": "not_currently_available", "child_local_authority": "csc",
                "place_of_residence": "Northtown", "designated_doctor_confirmed": True, "jar_criteria": [],
                "post_mortem": "hospital", "coroner_informed": False, "notified_agencies": ["police", "csc"],
                "abuse_neglect_suspected_at_notification": False}


def sign_in(client: Any, username: str, password: str | None = None) -> Any:
    response = client.post("/sign-in", data={"username": username, "password": password or PASSWORDS[username]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def deploy(factory: Any, path: Path, now: datetime, key: str | None = None) -> None:
    with transaction(factory) as s:
        definitions.deploy_bundle(s, key or path.name, read_bundle_dir(path), actor="dee", now=now)


@dataclass(frozen=True)
class CdopCase:
    instance_id: str
    business_key: str
    reports: dict[str, str]  # agency key -> agency report task id


def cdop_to_agency_reports(factory: Any, coordinator: Actor, now: datetime,
                           agencies: tuple[str, ...] = ("police", "csc")) -> CdopCase:
    """Start a CDOP case and complete its first two steps, so one agency report per agency is ready."""
    with transaction(factory) as s:
        row = instances.start_instance(s, "cdop", actor=coordinator, now=now)
        instance_id, business_key = row.id, row.business_key
    _complete(factory, instance_id, "notification", NOTIFICATION, coordinator, now)
    _complete(factory, instance_id, "identify_agencies",
              {"agencies_involved": list(agencies), "lead_agency": agencies[0]}, coordinator, now)
    with transaction(factory) as s:
        reports = {t.agency: t.id for t in s.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.name == "agency_report", HumanTask.state == "ready"))}
    return CdopCase(instance_id, business_key, reports)


def ready_task(factory: Any, instance_id: str, name: str) -> str:
    with transaction(factory) as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.name == name,
                                                   HumanTask.state == "ready"))


def _complete(factory: Any, instance_id: str, name: str, data: dict[str, Any], actor: Actor, now: datetime) -> None:
    task_id = ready_task(factory, instance_id, name)
    with transaction(factory) as s:
        tasks.complete_task(s, task_id, data, actor=actor, now=now)
