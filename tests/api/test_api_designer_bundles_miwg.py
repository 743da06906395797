"""Every model of the BPMN MIWG reference suite (/work/shared/miwg, CC BY 3.0, see its README) deploys or is
refused with reasons, through the API's deploy and through the zip import: a 422 whose every detail is a problem
with a message, never a 500 or an exception. OUTCOMES records which deploy, so a change in that set is noticed."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from .api_kit import API, check_error

MIWG = Path("/work/shared/miwg")
# model: what LIF does with it. None deploys: most are drawn as pictures (no executable process, lanes that are
# not LIF's roles, timers without values, FEEL, JUEL or XPath conditions, Camunda 8 extensions).
OUTCOMES = {
    "A.1.0": "refused", "A.2.0": "refused", "A.2.1": "refused", "A.3.0": "refused", "A.4.0": "refused",
    "A.4.1": "refused", "B.1.0": "refused", "B.2.0": "refused", "C.1.0": "refused", "C.1.1": "refused",
    "C.2.0": "refused", "C.3.0": "refused", "C.4.0": "refused", "C.5.0": "refused", "C.6.0": "refused",
    "C.7.0": "refused", "C.8.0": "refused", "C.8.1": "refused", "C.9.0": "refused", "C.9.1": "refused",
    "C.9.2": "refused",
}

pytestmark = pytest.mark.skipif(not MIWG.is_dir(), reason="the MIWG copy is not here")


def bundle(model: str) -> dict[str, str]:
    name = f"{model}.bpmn"
    return {name: (MIWG / name).read_text(encoding="utf-8"),
            "process_model.json": json.dumps({"display_name": f"MIWG {model}", "primary_file_name": name})}


def key_of(model: str) -> str:
    return "miwg_" + model.lower().replace(".", "_")


def outcome(response) -> str:
    assert response.status_code in (200, 201, 422), (response.status_code, response.get_data(as_text=True)[:500])
    if response.status_code == 422:
        details = check_error(response, 422)["details"]
        assert details and all(isinstance(d, dict) and d.get("message") for d in details), details
        return "refused"
    return "deploys"


def test_the_miwg_models_are_all_here():
    assert sorted(p.stem for p in MIWG.glob("*.bpmn")) == sorted(OUTCOMES)
    assert "Creative Commons" in (MIWG / "README.md").read_text(encoding="utf-8")


def test_each_miwg_model_deploys_or_is_refused_with_reasons_through_the_api(client, auth):
    found = {model: outcome(client.post(f"{API}/process-definitions", headers=auth("dee"),
                                        json={"key": key_of(model), "files": bundle(model)}))
             for model in sorted(OUTCOMES)}
    assert found == OUTCOMES


def test_each_miwg_model_deploys_or_is_refused_with_reasons_through_the_zip_import(client, auth):
    found = {}
    for model in sorted(OUTCOMES):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, text in bundle(model).items():
                archive.writestr(f"{key_of(model)}/{name}", text)
        found[model] = outcome(client.post(f"{API}/process-definitions/import", headers=auth("dee"),
                                           data={"bundle": (io.BytesIO(out.getvalue()), "m.zip")},
                                           content_type="multipart/form-data"))
    assert found == OUTCOMES
