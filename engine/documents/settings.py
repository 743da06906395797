"""What the document services run under: the size limit, the store and the clamd address. Sessions carry them
(``session.info``), as they carry the step settings, so every entry point that makes sessions from the same
factory (the web app, ``lif`` commands, disposal) reads and erases documents in the same store; no module
global holds them."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from .stores import BlobStore, DatabaseStore, store_from

_SETTINGS = "lif.document_settings"
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class DocumentSettings:
    store: BlobStore = field(default_factory=DatabaseStore)
    max_bytes: int = DEFAULT_MAX_BYTES
    clamd: str | None = None  # a unix socket path or host:port; None: uploads are not scanned
    scan_timeout_s: float = 60.0


def settings_from(config: Config) -> DocumentSettings:
    return DocumentSettings(store=store_from(config.document_store), max_bytes=config.max_upload_bytes,
                            clamd=config.clamd)


def use_document_settings(factory: sessionmaker[Session], settings: DocumentSettings) -> None:
    """Sessions ``factory`` makes from now on carry ``settings``."""
    factory.configure(info={**factory.kw.get("info", {}), _SETTINGS: settings})


def document_settings(session: Session) -> DocumentSettings:
    """The settings ``session`` carries; the defaults (the database store, 25 MB, no scanning) otherwise."""
    found = session.info.get(_SETTINGS)
    return found if isinstance(found, DocumentSettings) else DocumentSettings()
