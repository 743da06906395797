"""Settings, read once from ``LIF_*`` environment variables into a frozen ``Config`` and passed down."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InvalidData

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    return Path(os.environ.get("LIF_INSTANCE_DIR", Path.cwd() / "instance"))


ENVIRONMENTS = ("development", "production")  # LIF_ENV; production requires LIF_BASE_URL
_EVERY_ADDRESS = ("", "0.0.0.0", "::")  # listening on every interface: links use the loopback address


def local_base_url(host: str, port: int | str) -> str:
    """The address of a server run for local use on ``host``:``port``, which links in emails point to when
    ``LIF_BASE_URL`` is not set (``http://127.0.0.1:5000`` for the defaults)."""
    host = "127.0.0.1" if host in _EVERY_ADDRESS else host
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


MIN_CHILD_MATCH_SECRET = 32  # characters: the HMAC key of child matching (engine.cases.child_match)


def _secret_key(instance_dir: Path, variable: str = "LIF_SECRET_KEY", file_name: str = "secret_key") -> str:
    """The secret ``variable`` names, else the one generated once into ``instance_dir/file_name``."""
    configured = os.environ.get(variable)
    if configured:
        return configured
    path = instance_dir / file_name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class StepSettings:
    """What a workflow step runs under: the wall-clock limit and the size limit (elements of a sequence a script
    may build) of the diagram's code, and whether each stored state is checked against SpiffWorkflow's own full
    serialization (the test suite). The session factory carries it, so every step reads it from its session."""
    script_timeout_s: float = 5.0
    script_max_size: int = 10_000_000
    verify_dumps: bool = False
    spiff_fast_paths: bool = True  # off: SpiffWorkflow's own serialization and tree walks (engine/spiff)
    # the HMAC key of child matching (engine.cases.child_match); empty: no child is matched and no key is kept
    child_match_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    workflows_dir: Path
    https: bool = False
    script_timeout_s: float = 5.0
    script_max_size: int = 10_000_000
    script_workers: int = 2
    script_memory_mb: int = 256
    max_upload_bytes: int = 25 * 1024 * 1024  # the largest case document (LIF_MAX_UPLOAD_BYTES)
    document_store: str = "db"  # where documents' bytes live: "db" (a table) or "dir:/path" (LIF_DOCUMENT_STORE)
    clamd: str | None = None  # a clamd socket to scan uploads with: a unix socket path or host:port (LIF_CLAMD)
    token_ttl_hours: int = 12
    login_address_limit: int = 10  # failed sign-ins a minute from one client address
    login_max_failures: int = 5  # failures on one username from one address before its delays begin
    login_max_delay_minutes: int = 15  # the longest of those (doubling) delays
    login_account_limit: int = 20  # failures on one username across addresses before new addresses wait
    session_idle_minutes: int = 30
    session_max_hours: int = 8
    base_url: str = "http://127.0.0.1:5000"  # where links in emails point (LIF_BASE_URL, else local_base_url)
    production: bool = False  # LIF_ENV=production: LIF_BASE_URL must be set
    mail_backend: str = "console"  # console, file, smtp, notify
    mail_sender: str = "lif@localhost"
    mail_file_dir: Path | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: str = "none"  # none, starttls, ssl
    smtp_username: str | None = None
    smtp_password: str | None = None
    notify_api_key: str | None = None
    notify_template_id: str | None = None
    verify_dumps: bool = False
    spiff_fast_paths: bool = True  # LIF_SPIFF_FAST_PATHS=0: the library's own serialization and walks
    child_match_secret: str = field(default="", repr=False)  # LIF_CHILD_MATCH_SECRET, else generated once

    @property
    def step_settings(self) -> StepSettings:
        return StepSettings(script_timeout_s=self.script_timeout_s, script_max_size=self.script_max_size,
                            verify_dumps=self.verify_dumps, spiff_fast_paths=self.spiff_fast_paths,
                            child_match_secret=self.child_match_secret)

    @property
    def max_upload_request_bytes(self) -> int:
        """The largest body a document upload may send: the largest document with room for the rest of its form
        (a task page's answers). Larger is refused before it is read; other requests keep a smaller limit."""
        return self.max_upload_bytes + 1024 * 1024

    @classmethod
    def from_env(cls, *, host: str | None = None, port: int | None = None, **overrides: Any) -> Config:
        """Settings from ``LIF_*`` variables; keyword arguments override them (tests, benchmarks). ``host`` and
        ``port`` are where this process serves (``lif serve``), else ``LIF_HOST`` and ``LIF_PORT``: without
        ``LIF_BASE_URL``, links point there."""
        env = os.environ.get
        instance_dir = _instance_dir()
        production = overrides.get("production", _environment(env("LIF_ENV", "")) == "production")
        configured_url = overrides.get("base_url") or env("LIF_BASE_URL", "")
        if production and not configured_url:
            raise InvalidData("LIF_BASE_URL must be set when LIF_ENV=production: it is the address links in emails "
                              "point to, e.g. https://lif.example.gov.uk")
        listening = local_base_url(host or env("LIF_HOST", "127.0.0.1"), port or env("LIF_PORT", "5000"))
        config = cls(
            database_url=env("LIF_DATABASE_URL", f"sqlite:///{instance_dir / 'lif.sqlite3'}"),
            secret_key=overrides.get("secret_key") or _secret_key(instance_dir),
            workflows_dir=Path(env("LIF_WORKFLOWS_DIR", str(REPO_ROOT / "workflows"))),
            https=env("LIF_HTTPS", "") == "1",
            script_timeout_s=float(env("LIF_SCRIPT_TIMEOUT", "5")),
            script_max_size=int(env("LIF_SCRIPT_MAX_SIZE", "10000000")),
            script_workers=int(env("LIF_SCRIPT_WORKERS", "2")),
            script_memory_mb=int(env("LIF_SCRIPT_MEMORY_MB", "256")),
            token_ttl_hours=int(env("LIF_TOKEN_TTL_HOURS", "12")),
            max_upload_bytes=int(env("LIF_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024))),
            document_store=env("LIF_DOCUMENT_STORE", "db"),
            clamd=env("LIF_CLAMD") or None,
            session_idle_minutes=int(env("LIF_SESSION_IDLE_MINUTES", "30")),
            session_max_hours=int(env("LIF_SESSION_MAX_HOURS", "8")),
            base_url=(configured_url or listening).rstrip("/"), production=production,
            mail_backend=env("LIF_MAIL_BACKEND", "console"),
            mail_sender=env("LIF_MAIL_SENDER", "lif@localhost"),
            mail_file_dir=Path(env("LIF_MAIL_FILE_DIR", "")) if env("LIF_MAIL_FILE_DIR") else None,
            smtp_host=env("LIF_SMTP_HOST", "localhost"),
            smtp_port=int(env("LIF_SMTP_PORT", "25")),
            smtp_tls=env("LIF_SMTP_TLS", "none"),
            smtp_username=env("LIF_SMTP_USERNAME") or None,
            smtp_password=env("LIF_SMTP_PASSWORD") or None,
            notify_api_key=env("LIF_NOTIFY_API_KEY") or None,
            notify_template_id=env("LIF_NOTIFY_TEMPLATE_ID") or None,
            verify_dumps=env("LIF_VERIFY_DUMPS", "") == "1",
            spiff_fast_paths=env("LIF_SPIFF_FAST_PATHS", "1") != "0",
            child_match_secret=overrides.get("child_match_secret") or _secret_key(
                instance_dir, "LIF_CHILD_MATCH_SECRET", "child_match_secret"),
        )
        config = replace(config, **overrides)
        _refuse_weak_child_match_secret(config.child_match_secret)
        if config.database_url.startswith("sqlite:///"):
            try:
                Path(config.database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # opening the database will say what is wrong, in one line
        return config


def _environment(value: str) -> str:
    """``LIF_ENV``: ``development`` (the default, for local use) or ``production``; anything else is refused
    rather than guessed, since production mode is what makes the server refuse unsafe settings."""
    value = value.strip().lower() or "development"
    if value not in ENVIRONMENTS:
        raise InvalidData(f"LIF_ENV must be {' or '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def _refuse_weak_child_match_secret(secret: str) -> None:
    """A short key would let anyone holding the database guess NHS numbers from their hashes (there are about a
    billion valid ones), so a deployment refuses to start with one rather than match children on it."""
    if len(secret) < MIN_CHILD_MATCH_SECRET:
        raise InvalidData(f"LIF_CHILD_MATCH_SECRET must be at least {MIN_CHILD_MATCH_SECRET} characters (it is the "
                          "key of the hashes that match children); unset it to have one generated into the instance "
                          "folder")
