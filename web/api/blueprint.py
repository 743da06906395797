"""The API's blueprint in a module of its own: every view module adds its routes to it and the package registers
it, so no module has to import the package that imports it (a cycle through all ten)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
