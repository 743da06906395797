"""GET /api/v1/openapi.json: a valid OpenAPI 3 document that lists every route the API blueprint registers."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

from .api_kit import API

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def document(client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    assert r.is_json
    return r.json


def registered_routes(app):
    """(method, path template with every parameter as {}) for each view of the API blueprint."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi_document":
            continue
        path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "{}", rule.rule[len(API):])
        out |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def documented_routes(doc):
    return {(method, re.sub(r"\{[a-z_]+\}", "{}", path))
            for path, operations in doc["paths"].items() for method in operations if method in HTTP_METHODS}


def test_openapi_document_is_valid_openapi_3(client):
    doc = document(client)
    assert doc["openapi"].startswith("3.")
    validate(doc)  # raises OpenAPIValidationError with the first problem


def test_openapi_document_needs_no_token(client):
    assert client.get(f"{API}/openapi.json").status_code == 200


def test_openapi_document_lists_every_registered_route(app, client):
    registered = registered_routes(app)
    documented = documented_routes(document(client))
    assert len(registered) >= 19
    assert registered - documented == set(), "routes missing from the OpenAPI document"
    assert documented - registered == set(), "documented routes that do not exist"


def test_openapi_document_declares_path_parameters_and_bearer_security(client):
    doc = document(client)
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for path, operations in doc["paths"].items():
        names = set(re.findall(r"\{([a-z_]+)\}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)
            if path != "/auth/token":
                assert operation.get("security") == [{"bearer": []}], (method, path)


def test_openapi_document_uses_spec_status_codes(client):
    paths = document(client)["paths"]
    assert "201" in paths["/process-instances"]["post"]["responses"]
    assert {"201", "403", "409", "413", "422"} <= set(paths["/process-definitions"]["post"]["responses"])
    assert "202" in paths["/messages"]["post"]["responses"]
    assert "429" in paths["/auth/token"]["post"]["responses"]
    assert {"409", "422"} <= set(paths["/tasks/{id}/complete"]["post"]["responses"])
    error = paths["/tasks/{id}/complete"]["post"]["responses"]["409"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorSchema"}


def test_openapi_task_and_instance_schemas_carry_the_spec_fields(client):
    from .api_kit import INSTANCE_SUMMARY_FIELDS, TASK_FIELDS
    schemas = document(client)["components"]["schemas"]
    assert TASK_FIELDS <= set(schemas["TaskSchema"]["properties"])
    assert INSTANCE_SUMMARY_FIELDS <= set(schemas["InstanceSummarySchema"]["properties"])
    error = schemas["ErrorSchema"]["properties"]["error"]
    if "$ref" in error:
        error = schemas[error["$ref"].rsplit("/", 1)[1]]
    elif "allOf" in error:
        error = schemas[error["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert set(error["properties"]) == {"code", "message", "details"}
