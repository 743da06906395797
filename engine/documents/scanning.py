"""An upload scanned by clamd before it is stored, when ``LIF_CLAMD`` names its socket (a unix socket path, or
``host:port``). The client is clamd's INSTREAM command, a few lines over a socket (``man clamd``): ``zINSTREAM``,
then the bytes in chunks each prefixed by its length as four big-endian bytes, then a zero length; clamd answers
``stream: OK`` or ``stream: <signature> FOUND``. The PyPI clients (``clamd``, ``pyclamd``) are unmaintained and
would add more than they save.

A file is refused when clamd finds a signature; when clamd cannot be reached or cannot answer (``... ERROR``, its
``StreamMaxLength`` exceeded) nothing is stored and the upload fails as unavailable: a file is never let through
unscanned because the scanner is down."""
from __future__ import annotations

import socket
import struct

from ..errors import ServiceUnavailable

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096
UNREACHABLE = "the virus scanner cannot be reached just now, so the file was not stored; try again shortly"


def scan(address: str, data: bytes, *, timeout_s: float) -> str | None:
    """The name of the signature clamd at ``address`` finds in ``data``, or None when it finds none.
    ``ServiceUnavailable`` when clamd cannot be reached or gives no verdict."""
    try:
        with _connect(address, timeout_s) as connection:
            connection.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(data), CHUNK_BYTES):
                chunk = view[start:start + CHUNK_BYTES]
                connection.sendall(struct.pack("!L", len(chunk)))
                connection.sendall(chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = _reply(connection)
    except OSError as exc:
        raise ServiceUnavailable(UNREACHABLE, [{"field": "file", "message": UNREACHABLE}]) from exc
    return verdict(reply)


def verdict(reply: str) -> str | None:
    """The signature in a reply such as ``stream: Eicar-Signature FOUND``; None for ``stream: OK``."""
    _, _, result = reply.partition(": ")
    if result == "OK":
        return None
    if result.endswith(" FOUND") and len(result) > len(" FOUND"):
        return result[: -len(" FOUND")][:200]
    message = f"the virus scanner could not check the file ({reply[:120] or 'no answer'}), so it was not stored"
    raise ServiceUnavailable(message, [{"field": "file", "message": message}])


def _connect(address: str, timeout_s: float) -> socket.socket:
    if "/" in address:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout_s)
        try:
            connection.connect(address)
        except OSError:
            connection.close()
            raise
        return connection
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise OSError(f"LIF_CLAMD must be a socket path or host:port, not {address!r}")
    return socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout=timeout_s)


def _reply(connection: socket.socket) -> str:
    received = b""
    while not received.endswith(b"\0") and len(received) < MAX_REPLY_BYTES:
        part = connection.recv(MAX_REPLY_BYTES)
        if not part:
            break
        received += part
    return received.rstrip(b"\0").decode("utf-8", "replace").strip()
