"""The fence around SpiffWorkflow: every contact with the library lives here (the adapter that runs a step, the
stored state and its converters, the tree walks, the parser, the script environment, the timer bounds and the
timer clock), and every read of a private attribute of the library in ``compat.py``, which refuses a release it
was not written for. Nothing outside this package imports SpiffWorkflow.

``configure(fast_paths=..., verify_dumps=...)`` sets the package's switches once per process (``settings.py``).
"""
from .settings import configure

__all__ = ["configure"]
