from engine.bundles.parsing import read_bundle_dir
from tests.conftest import FIXTURES


def test_deploy_start_and_complete_through_the_api(client, auth):
    files = read_bundle_dir(FIXTURES / "simple_review")
    r = client.post("/api/v1/process-definitions", json={"key": "simple_review", "files": files}, headers=auth("dee"))
    assert r.status_code == 201, r.json
    r = client.post("/api/v1/process-instances", json={"process_key": "simple_review"}, headers=auth("cora"))
    assert r.status_code == 201, r.json
    task = r.json["tasks"][0]
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"summary": "x"}}, headers=auth("pat"))
    assert r.status_code == 422
    assert {d["field"] for d in r.json["error"]["details"]} == {"summary", "agency"}
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"summary": "A summary", "agency": "police"}},
                    headers=auth("pat"))
    assert r.status_code == 200, r.json
    assert r.json["task"]["state"] == "completed"
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"summary": "A summary", "agency": "police"}},
                    headers=auth("pat"))
    assert r.status_code == 409
