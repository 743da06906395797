"""Malware scanning against a real clamd: started here in a temporary folder, with a signature database holding
only the EICAR test signature (virus definitions cannot be downloaded here), listening on a unix socket there.
Skipped, with the reason in the summary, when clamd is not installed (``apt-get install clamav-daemon``)."""
from __future__ import annotations

import binascii
import os
import shutil
import subprocess
import threading

import pytest

from engine.documents import scanning
from engine.errors import ServiceUnavailable
from tests.api.api_kit import Api, check_error
from tests.conftest import PASSWORDS

from .documents_kit import ALLOWED, EICAR, pdf, start_case, upload

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
needs_clamd = pytest.mark.skipif(CLAMD is None, reason="clamd is not installed (apt-get install clamav-daemon): "
                                                         "the tests against a real virus scanner did not run")


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory):
    """A clamd of our own, knowing one signature (EICAR as a body signature, found anywhere in a file)."""
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "eicar.ndb").write_text(f"Eicar-Test-Signature:0:*:{binascii.hexlify(EICAR).decode()}\n")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(f"LocalSocket {socket_path}\nLocalSocketMode 600\nForeground yes\n"
                                       f"DatabaseDirectory {folder}\nTemporaryDirectory {folder}\n"
                                       "StreamMaxLength 30M\nSelfCheck 3600\n")
    process = subprocess.Popen([CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    started = []
    for line in process.stdout:  # clamd says so once its database is loaded and it listens
        started.append(line)
        if b"Self checking" in line:
            break
    assert socket_path.exists(), b"".join(started).decode(errors="replace")
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its output from filling the pipe
    yield str(socket_path)
    process.terminate()
    process.wait(timeout=30)


def _api(app, db):
    client, tokens = app.test_client(), {}

    def auth(username):
        if username not in tokens:
            r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
            tokens[username] = {"Authorization": f"Bearer {r.json['token']}"}
        return tokens[username]
    return Api(client, auth, db)


def infected_pdf() -> bytes:
    return pdf("infected").replace(b"%%EOF", EICAR + b"\n%%EOF")


@needs_clamd
def test_a_file_holding_a_virus_is_refused_naming_its_signature_and_nothing_is_stored(make_app, db, clamd_socket):
    api = _api(make_app(clamd=clamd_socket), db)
    case = start_case(api)
    before = api.snapshot()
    error = check_error(upload(api, case.reports["police"], "pat", data=infected_pdf()), 422)
    assert error["message"] == "The file contains a virus (Eicar-Test-Signature.UNOFFICIAL)"
    assert error["details"] == [{"field": "file", "message": error["message"]}]
    assert api.snapshot() == before


@needs_clamd
@pytest.mark.parametrize("kind", sorted(ALLOWED))
def test_a_clean_file_of_each_kind_passes_the_scan(make_app, db, clamd_socket, kind):
    api = _api(make_app(clamd=clamd_socket), db)
    case = start_case(api)
    name, data, _ = ALLOWED[kind]
    assert upload(api, case.reports["police"], "pat", name=name, data=data).status_code == 201


@needs_clamd
def test_the_client_speaks_instream_to_clamd(clamd_socket):
    assert scanning.scan(clamd_socket, EICAR, timeout_s=30) == "Eicar-Test-Signature.UNOFFICIAL"
    assert scanning.scan(clamd_socket, b"x" * (3 * scanning.CHUNK_BYTES + 5), timeout_s=30) is None  # several chunks
    assert scanning.scan(clamd_socket, b"", timeout_s=30) is None


@pytest.mark.parametrize("address", ["{tmp}/no-clamd.sock", "127.0.0.1:1", "nonsense"])
def test_an_unreachable_scanner_refuses_the_upload_with_503_and_stores_nothing(make_app, db, tmp_path, address):
    api = _api(make_app(clamd=address.format(tmp=tmp_path)), db)
    case = start_case(api)
    before = api.snapshot()
    error = check_error(upload(api, case.reports["police"], "pat"), 503, "service_unavailable")
    assert "virus scanner" in error["message"]
    assert api.snapshot() == before


@pytest.mark.parametrize("reply, found", [("stream: OK", None), ("stream: Win.Test.EICAR_HDB-1 FOUND",
                                                                   "Win.Test.EICAR_HDB-1")])
def test_clamds_verdicts_are_read(reply, found):
    assert scanning.verdict(reply) == found


@pytest.mark.parametrize("reply", ["INSTREAM size limit exceeded. ERROR", "", "stream: FOUND", "stream: odd"])
def test_a_reply_without_a_verdict_is_the_scanner_unavailable(reply):
    with pytest.raises(ServiceUnavailable):
        scanning.verdict(reply)
