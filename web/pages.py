"""The plain pages served until the full front end lands: an index that points to the API."""
from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("pages", __name__)

_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LIF</title></head>
<body><main>
<h1>LIF: learning and improvement workflows</h1>
<p>The JSON API is at <a href="/api/v1/openapi.json">/api/v1</a>. Get a token with
<code>POST /api/v1/auth/token</code>.</p>
</main></body></html>"""


@bp.get("/")
def index() -> str:
    return render_template_string(_INDEX)
