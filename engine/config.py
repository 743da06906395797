"""Settings, read once from ``LIF_*`` environment variables into a frozen ``Config`` and passed down."""
from __future__ import annotations

import importlib.util
import math
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import InvalidData

REPO_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T", int, float)


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
    log_format: str = "text"  # LIF_LOG_FORMAT: text, or json (one object a line); web.ops.logs
    metrics_token: str | None = field(default=None, repr=False)  # LIF_METRICS_TOKEN: /metrics beyond loopback

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
        ``LIF_BASE_URL``, links point there. Every setting is checked before anything starts, and every problem
        found is raised at once (``InvalidData``: one line for each, so a deployment is fixed in one go)."""
        env = os.environ.get
        read = _Reader()
        instance_dir = _instance_dir()
        production = overrides.get("production", read.environment() == "production")
        configured_url = overrides.get("base_url") or env("LIF_BASE_URL", "")
        listening = local_base_url(host or env("LIF_HOST", "127.0.0.1"), port or env("LIF_PORT", "5000"))
        secrets_given = {name: overrides.get(field) or env(name) or "" for name, field in _SECRETS.items()}
        config = cls(
            database_url=env("LIF_DATABASE_URL", f"sqlite:///{instance_dir / 'lif.sqlite3'}"),
            secret_key=secrets_given["LIF_SECRET_KEY"],  # unset: generated once checked (not in production)
            workflows_dir=Path(env("LIF_WORKFLOWS_DIR", str(REPO_ROOT / "workflows"))),
            https=read.flag("LIF_HTTPS"),
            script_timeout_s=read.number("LIF_SCRIPT_TIMEOUT", 5.0),
            script_max_size=read.number("LIF_SCRIPT_MAX_SIZE", 10_000_000),
            script_workers=read.number("LIF_SCRIPT_WORKERS", 2),
            script_memory_mb=read.number("LIF_SCRIPT_MEMORY_MB", 256),
            token_ttl_hours=read.number("LIF_TOKEN_TTL_HOURS", 12),
            max_upload_bytes=read.number("LIF_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
            document_store=env("LIF_DOCUMENT_STORE", "db"),
            clamd=env("LIF_CLAMD") or None,
            session_idle_minutes=read.number("LIF_SESSION_IDLE_MINUTES", 30),
            session_max_hours=read.number("LIF_SESSION_MAX_HOURS", 8),
            base_url=(configured_url or listening).rstrip("/"), production=production,
            mail_backend=env("LIF_MAIL_BACKEND", "console"),
            mail_sender=env("LIF_MAIL_SENDER", "lif@localhost"),
            mail_file_dir=Path(env("LIF_MAIL_FILE_DIR", "")) if env("LIF_MAIL_FILE_DIR") else None,
            smtp_host=env("LIF_SMTP_HOST", ""),  # no default: an SMTP backend must say where its server is
            smtp_port=read.number("LIF_SMTP_PORT", 25, most=65535),
            smtp_tls=env("LIF_SMTP_TLS", "none"),
            smtp_username=env("LIF_SMTP_USERNAME") or None,
            smtp_password=env("LIF_SMTP_PASSWORD") or None,
            notify_api_key=env("LIF_NOTIFY_API_KEY") or None,
            notify_template_id=env("LIF_NOTIFY_TEMPLATE_ID") or None,
            verify_dumps=env("LIF_VERIFY_DUMPS", "") == "1",
            spiff_fast_paths=env("LIF_SPIFF_FAST_PATHS", "1") != "0",
            log_format=env("LIF_LOG_FORMAT", "text").strip().lower() or "text",
            metrics_token=env("LIF_METRICS_TOKEN") or None,
            child_match_secret=secrets_given["LIF_CHILD_MATCH_SECRET"],
        )
        config = replace(config, **overrides)
        read.problems += settings_problems(config, configured_url=configured_url, secrets_given=secrets_given)
        _refuse(read.problems)  # before anything is written: a refused start changes nothing
        config = replace(config, secret_key=config.secret_key or _secret_key(instance_dir),
                         child_match_secret=config.child_match_secret or _secret_key(
                             instance_dir, "LIF_CHILD_MATCH_SECRET", "child_match_secret"))
        if config.database_url.startswith("sqlite:///"):
            try:
                Path(config.database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # opening the database will say what is wrong, in one line
        return config


_SECRETS = {"LIF_SECRET_KEY": "secret_key", "LIF_CHILD_MATCH_SECRET": "child_match_secret"}  # variable: field
MIN_SECRET_KEY = 32  # characters of LIF_SECRET_KEY in production: it signs every session cookie
MAIL_BACKENDS = ("console", "file", "smtp", "notify")
SMTP_TLS = ("none", "starttls", "ssl")
LOG_FORMATS = ("text", "json")


class _Reader:
    """Reads the variables that must parse, noting each one that does not instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def environment(self) -> str:
        try:
            return _environment(os.environ.get("LIF_ENV", ""))
        except InvalidData as exc:
            self.problems.append(exc.message)
            return "development"

    def number(self, name: str, default: T, *, most: T | None = None) -> T:
        """A positive number (whole, unless ``default`` is a float), at most ``most``; else ``default``."""
        text = os.environ.get(name, "").strip()
        if not text:
            return default
        kind = type(default)
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value <= 0 or (most is not None and value > most):
            words = "a whole number" if kind is int else "a number"
            limit = f" from 1 to {most}" if most is not None else " above 0"
            self.problems.append(f"{name} must be {words}{limit}, not {text!r}")
            return default
        return value

    def flag(self, name: str) -> bool:
        text = os.environ.get(name, "").strip()
        if text not in ("", "0", "1"):
            self.problems.append(f"{name} must be 1 (on) or 0 (off), not {text!r}")
        return text == "1"


def settings_problems(config: Config, *, configured_url: str, secrets_given: dict[str, str]) -> list[str]:
    """What would make this configuration unsafe or fail later (at the first email, the first sign-in over
    HTTPS): one line each, saying which variable and what to do."""
    return [*_production_problems(config, configured_url, secrets_given), *_address_problems(config),
            *_mail_problems(config), *_other_problems(config)]


def _production_problems(config: Config, configured_url: str, secrets_given: dict[str, str]) -> list[str]:
    found = []
    if config.production and not configured_url:
        found.append("LIF_BASE_URL must be set when LIF_ENV=production: it is the address links in emails point "
                     "to, e.g. https://lif.example.gov.uk")
    if config.production and not secrets_given["LIF_SECRET_KEY"]:
        found.append(f"LIF_SECRET_KEY must be set when LIF_ENV=production ({MIN_SECRET_KEY} or more random "
                     "characters, the same for every process): one generated into each instance folder would differ")
    elif config.production and len(config.secret_key) < MIN_SECRET_KEY:
        found.append(f"LIF_SECRET_KEY is too short for production: {len(config.secret_key)} characters, it must "
                     f"be at least {MIN_SECRET_KEY} (it signs every session cookie)")
    if config.production and not secrets_given["LIF_CHILD_MATCH_SECRET"]:
        kept = _instance_dir() / "child_match_secret"  # generated by an earlier version, which allowed it
        found.append("LIF_CHILD_MATCH_SECRET must be set when LIF_ENV=production (32 or more random characters, "
                     "the same for every process): one generated into each instance folder would never match" +
                     (f"; set it to the key in {kept}, which this instance's cases were matched with (a new "
                      "key stops open cases matching)" if kept.is_file() else ""))
    elif 0 < len(secrets_given["LIF_CHILD_MATCH_SECRET"]) < MIN_CHILD_MATCH_SECRET:
        found.append(f"LIF_CHILD_MATCH_SECRET must be at least {MIN_CHILD_MATCH_SECRET} characters (it is the key of "
                     "the hashes that match children); unset it to have one generated into the instance folder")
    return found


def _address_problems(config: Config) -> list[str]:
    scheme = config.base_url.split("://", 1)[0].lower() if "://" in config.base_url else ""
    if scheme not in ("http", "https") or not config.base_url.split("://", 1)[1]:
        return [f"LIF_BASE_URL must be an http:// or https:// address, not {config.base_url!r}"]
    if scheme == "https" and not config.https:
        return [f"LIF_HTTPS must be 1 when LIF_BASE_URL is https ({config.base_url}): without it the session "
                "cookie is not marked Secure and no HSTS header is sent"]
    return []


def _mail_problems(config: Config) -> list[str]:
    backend = config.mail_backend
    if backend not in MAIL_BACKENDS:
        return [f"LIF_MAIL_BACKEND must be {_one_of(MAIL_BACKENDS)}, not {backend!r}"]
    found = []
    if backend == "smtp" and not config.smtp_host:
        found.append("LIF_SMTP_HOST must be set when LIF_MAIL_BACKEND=smtp: the SMTP server to send email through")
    if backend == "smtp" and config.smtp_tls not in SMTP_TLS:
        found.append(f"LIF_SMTP_TLS must be {_one_of(SMTP_TLS)}, not {config.smtp_tls!r}")
    if backend == "smtp" and config.smtp_username and not config.smtp_password:
        found.append("LIF_SMTP_PASSWORD must be set when LIF_SMTP_USERNAME is")
    if backend == "notify":
        missing = [name for name, value in (("LIF_NOTIFY_API_KEY", config.notify_api_key),
                                            ("LIF_NOTIFY_TEMPLATE_ID", config.notify_template_id)) if not value]
        if missing:
            found.append(f"{' and '.join(missing)} must be set when LIF_MAIL_BACKEND=notify")
        if importlib.util.find_spec("notifications_python_client") is None:
            found.append("LIF_MAIL_BACKEND=notify needs GOV.UK Notify's client: pip install 'lif[notify]'")
    return found


def _other_problems(config: Config) -> list[str]:
    found = []
    store = config.document_store
    if store not in ("", "db") and not (store.startswith("dir:") and store[4:].strip()):
        found.append(f"LIF_DOCUMENT_STORE must be db or dir:/path, not {store!r}")
    log_format = os.environ.get("LIF_LOG_FORMAT", "").strip().lower() or "text"  # as web.ops.logs reads it
    if log_format not in LOG_FORMATS:
        found.append(f"LIF_LOG_FORMAT must be {_one_of(LOG_FORMATS)}, not {log_format!r}")
    return found


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


def _refuse(problems: list[str]) -> None:
    """One problem is the error's message; several are its details under a line that counts them."""
    if len(problems) == 1:
        raise InvalidData(problems[0])
    if problems:
        raise InvalidData(f"LIF cannot start: {len(problems)} settings need changing", details=problems)


def _environment(value: str) -> str:
    """``LIF_ENV``: ``development`` (the default, for local use) or ``production``; anything else is refused
    rather than guessed, since production mode is what makes the server refuse unsafe settings."""
    value = value.strip().lower() or "development"
    if value not in ENVIRONMENTS:
        raise InvalidData(f"LIF_ENV must be {' or '.join(ENVIRONMENTS)}, not {value!r}")
    return value
