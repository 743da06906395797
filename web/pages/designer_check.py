"""``POST /processes/<key>/draft/check``: the editor's "Check by running" button. The same check and the same
JSON answer as the API's ``POST /api/v1/process-definitions/<key>/check``, for a signed-in designer (the page
sends its CSRF token in an ``X-CSRFToken`` header); errors are JSON too, as the API gives them."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError

from engine.designer import checking
from engine.errors import LifError

from ..api.common import body
from ..api.design_check import CheckRequest, report_json
from ..api.errors import error_response, flatten
from ..context import lif
from ..errors import status_for
from .common import now, requires

bp = Blueprint("designer_check", __name__, url_prefix="/processes")


@bp.post("/<key>/draft/check")
@requires("designer", "admin")
def check_draft(key: str) -> Response:
    request = body(CheckRequest())
    with lif().reading() as session:
        report = checking.check_bundle(session, key, request["files"], seeds=request["seeds"], now=now())
    return jsonify(report_json(report))


@bp.errorhandler(LifError)
def _engine_error(exc: LifError) -> tuple[Response, int]:
    return error_response(status_for(exc), exc.code, exc.message, exc.details)


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> tuple[Response, int]:
    return error_response(422, "invalid", "the request has invalid fields", flatten(exc.messages))
