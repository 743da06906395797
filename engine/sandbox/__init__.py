"""Where code and templates from a bundle run: in-process when their shape bounds their cost, otherwise in a
pool of worker processes under OS limits, so nothing a designer uploads can stall the server or exhaust it.

The package's own import is kept light (the worker process imports ``worker`` alone); callers import the
module they need: ``templates`` (Jinja), ``pool``, ``bounded``; SpiffWorkflow's script environment over them is
``engine.spiff.scripting``."""
