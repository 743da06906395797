"""The demonstration partnership and its cases, driven through the engine's services (``lif demo``) and
shared with the scenario tests. The engine knows nothing of it.

``partnership`` holds the agencies and people, ``forms`` the form-data registry, ``story`` the driver that
plays the cases at past times, and one module per process (``scr``, ``cdop``, ``section11``, ``case_audit``,
``action_plan``) holds that process's form data and its demo cases. What the CLI and the tests use is here.
"""
from . import action_plan, case_audit, cdop, scr, section11  # noqa: F401  each registers its form builders
from .forms import BUILDERS, form_data
from .partnership import AGENCIES, DEMO_PASSWORD, PARTNER_STAFF, STAFF, People
from .story import is_empty, load_demo

__all__ = ["AGENCIES", "BUILDERS", "DEMO_PASSWORD", "PARTNER_STAFF", "STAFF", "People", "form_data", "is_empty",
           "load_demo"]
