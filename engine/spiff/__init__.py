"""The fence around SpiffWorkflow: every contact with the library lives here (the adapter that runs a step, the
stored state and its converters, the tree walks, the parser, the script environment, the timer bounds and the
timer clock), and every read of a private attribute of the library in ``compat.py``, which refuses a release it
was not written for. Nothing outside this package imports SpiffWorkflow.

Its two switches travel with each step in ``engine.config.StepSettings`` (``spiff_fast_paths``: LIF's cheaper walks,
incremental dump and shared-spec restore, or the library's own; ``verify_dumps``: check each dump against the
library's full serialization), never in a module global.
"""
