"""Charts drawn on the server as SVG: they need no JavaScript, and a screen reader reads their title and
description (``role="img"``). Each chart stands beside a table of the same numbers."""
from .bars import Bar, bar_chart

__all__ = ["Bar", "bar_chart"]
