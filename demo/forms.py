"""Valid, believable form data for every user task of the five shipped processes: the registry and what the
processes share.

One place for what a person would type into each form, shared by the scenario tests (tests/scenarios) and
``lif demo``. ``form_data(process_key, task_name, data, people, on, **choices)`` returns the data for the task
called ``task_name`` whose task data is ``data``: what the task shows its doer (its view), nothing more, so a
builder reads only what the person filling in the form could see. ``on`` is the day the form is filled in (the
dates the form asks for are taken from it), ``agency`` and ``doer`` say whose task it is (an agency's return is
signed by the person doing it), and ``choices`` are the decisions the scenario makes (the chair's review type, a
nil return, a panel's "revise", ...). Each builder names the choices it understands; any other keyword is a plain
top-level override of a form field.

Each process's builders live in that process's module (``demo.scr``, ``demo.cdop``, ``demo.section11``,
``demo.case_audit``, ``demo.action_plan``) and register themselves here with ``@builds``; importing the ``demo``
package imports them all.

Every name here is invented: children are pseudonyms ("Child A") with initials, families are described by role.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from .partnership import People


def day_of(on: date | datetime | str) -> date:
    """The day of a date, an aware datetime or an ISO string (callers pass whichever they hold)."""
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    return date.fromisoformat(str(on)[:10])


def iso_day(on: date | datetime | str, days: int = 0, months: int = 0) -> str:
    """``on`` moved by ``days`` and ``months``, as the ISO date a form field holds."""
    return (day_of(on) + timedelta(days=days) + relativedelta(months=months)).isoformat()


def pick(values: Sequence[str], count: int) -> list[str]:
    """The first ``count`` values, at least one and at most all."""
    return list(values[:max(1, min(count, len(values)))])


@dataclass(frozen=True)
class Ctx:
    """What a builder sees: the task's data (its view), the partnership, the day the form is filled in, and whose
    task it is."""

    data: Mapping[str, Any]
    people: People
    on: str  # ISO date the form is filled in
    agency: str | None = None  # the agency the task is bound to
    doer: str | None = None  # the username of the person filling it in

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def date(self, days: int = 0, months: int = 0) -> str:
        return iso_day(self.on, days, months)

    @property
    def agencies(self) -> list[str]:
        return self.people.agencies

    @property
    def person(self) -> str:
        """Who signs the form: its doer, else the lead of its agency (or of the first agency), else the
        coordinator."""
        if self.doer:
            return self.doer
        agency = self.agency or self.agencies[0]
        return self.people.lead(agency) if agency in self.people.leads else self.people.coordinator


Builder = Callable[..., dict[str, Any]]
BUILDERS: dict[tuple[str, str], Builder] = {}


def builds(process_key: str, *task_names: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for name in task_names:
            BUILDERS[(process_key, name)] = fn
        return fn
    return register


def form_data(process_key: str, task_name: str, data: Mapping[str, Any], people: People,
              on: date | datetime | str, *, agency: str | None = None, doer: str | None = None,
              **choices: Any) -> dict[str, Any]:
    """Valid form data for the task ``task_name`` of ``process_key`` (see the module docstring)."""
    try:
        builder = BUILDERS[(process_key, task_name)]
    except KeyError:
        raise KeyError(f"no demo form data for {process_key}.{task_name}") from None
    return builder(Ctx(dict(data or {}), people, day_of(on).isoformat(), agency, doer), **choices)


def merged(payload: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with the scenario's overrides; a field left ``None`` is not sent at all."""
    payload.update(extra)
    return {k: v for k, v in payload.items() if v is not None}


# The lessons the demo's cases record: (theme, lesson, good practice), one per theme of the partnership's default
# list. Each case starts at a different place in the list (by the day its form is filled in), so the learning log
# holds lessons across themes, agencies, processes and dates.
LEARNING = [
    ("information_sharing", "Health visiting and school held concerns that never reached the social worker.",
     "The school nurse kept a clear chronology and shared it at the first strategy meeting."),
    ("professional_curiosity", "Practitioners accepted explanations for injuries without checking them.",
     "A police officer asked to see the child's room and recorded what they saw."),
    ("voice_of_child", "The child's own account was not recorded at any of the home visits.",
     "The youth worker met the young person alone and wrote down their words."),
    ("neglect", "Chronic neglect was treated as a series of separate incidents rather than a pattern.",
     "The GP practice flagged repeated missed appointments to the health visitor."),
    ("domestic_abuse", "Police call-outs for domestic abuse were not linked to the children in the household.",
     "The domestic abuse advocate made sure every call-out was shared with the school the next day."),
    ("escalation", "Disagreement about thresholds was not escalated through the resolution protocol.",
     "A team manager used the escalation protocol and the case was reviewed within a week."),
    ("assessment_and_planning", "The plan was not reviewed when the household changed.",
     "None identified"),
    ("safe_sleep", "Safe sleep advice was given once and not revisited after the family moved.",
     "Midwives gave safe sleep advice at every contact and recorded it."),
    ("exploitation", "Missing episodes were not linked to signs of criminal exploitation.",
     "Return home interviews were held within 72 hours and shared with the police."),
    ("parental_mental_health", "Adult mental health services did not ask about the children in the home.",
     "The perinatal mental health team invited the health visitor to its reviews."),
    ("supervision", "Supervision did not challenge drift in the child's plan.",
     "Group supervision gave the worker space to reflect on the family's history."),
    ("recording", "Records did not say why decisions were made, only what was done.",
     "None identified"),
]
LEARNING_THEMES = [theme for theme, _, _ in LEARNING]
LESSONS = {theme: lesson for theme, lesson, _ in LEARNING}


def learning_log(ctx: Ctx, agencies: Sequence[str], count: int = 2) -> list[dict[str, Any]]:
    """``count`` lessons, their themes starting where the day the form is filled in falls in the list: the first
    applies to every agency given, each further one to one of them."""
    agencies = list(agencies) or ctx.agencies[:1]
    first = day_of(ctx.on).toordinal() % len(LEARNING)
    chosen = [LEARNING[(first + i * 5) % len(LEARNING)] for i in range(count)]
    return [{"theme": theme, "lesson": lesson, "good_practice": good,
             "agencies": agencies if i == 0 else [agencies[i % len(agencies)]]}
            for i, (theme, lesson, good) in enumerate(chosen)]


def smart_action(ctx: Ctx, i: int, agency: str, *, recommendation: str | None = None,
                 due_in_days: int = 180, owner: str | None = None) -> dict[str, Any]:
    """One SMART action for ``agency``, owned by its lead."""
    what = ["Audit a sample of referrals for evidence that concerns were shared within one working day",
            "Deliver professional curiosity briefings to every front-line team",
            "Add the child's own words to the assessment template and check their use in supervision",
            "Agree an escalation route between health visiting and children's social care",
            "Review the safe sleep leaflet and check it is discussed at every new-birth visit"][i % 5]
    return {"recommendation": recommendation or f"R{i + 1}: strengthen multi-agency practice",
            "action": what, "measure": "Quarterly audit of 20 cases; 90% compliance by the target date",
            "owner": owner or ctx.people.lead(agency), "agency": agency, "due_date": ctx.date(due_in_days)}
