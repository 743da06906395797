"""The fence's two switches, set once per process by ``engine.spiff.configure`` (from ``Config``), never read from
the environment here.

- ``fast_paths`` (``LIF_SPIFF_FAST_PATHS``, default on): LIF's cheaper tree walks (``walks.py``), its incremental
  dump and its restore with shared specs (``state.py``). Off, every step uses the library's own serialization,
  deserialization and walks: slower, and the way to tell whether a fault is ours or the library's.
- ``verify_dumps`` (the test suite): every incremental dump is compared with the library's own serialization.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    fast_paths: bool = True
    verify_dumps: bool = False


CURRENT = Settings()


def configure(*, fast_paths: bool | None = None, verify_dumps: bool | None = None) -> None:
    """Set the switches for this process; a switch left as None keeps its value. Call it where the process is
    built from its ``Config`` (``engine.spiff.configure(fast_paths=config.spiff_fast_paths)``)."""
    if fast_paths is not None:
        CURRENT.fast_paths = fast_paths
    if verify_dumps is not None:
        CURRENT.verify_dumps = verify_dumps
