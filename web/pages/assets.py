"""GOV.UK Frontend's fonts and images: its compiled CSS asks for them under ``/assets/``, so they are served
from there out of the copy that ``make setup`` puts in ``web/static/vendor/govuk/assets``."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory
from werkzeug.wrappers import Response

ASSETS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "govuk" / "assets"

bp = Blueprint("assets", __name__)


@bp.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    response = send_from_directory(ASSETS, filename, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
