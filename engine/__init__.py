"""LIF's engine: process definitions, instances, human tasks, deadlines, timers, messages and the audit trail.

This room never imports Flask, ``web`` or ``notifications``; a test enforces it. Services are module-level
functions that take a SQLAlchemy ``Session`` and an aware ``now``; they flush and never commit.
"""
