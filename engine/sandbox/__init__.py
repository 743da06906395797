"""Where code and templates from a bundle run: in-process when their shape bounds their cost, otherwise in a
pool of worker processes under OS limits, so nothing a designer uploads can stall the server or exhaust it."""
from __future__ import annotations

from .environment import RestrictedEnvironment, make_script_engine
from .pool import SandboxPool, WorkerError, configure, shared_pool
from .templates import TemplateError, has_template_syntax, render

__all__ = ["RestrictedEnvironment", "SandboxPool", "TemplateError", "WorkerError", "configure",
           "has_template_syntax", "make_script_engine", "render", "shared_pool"]
