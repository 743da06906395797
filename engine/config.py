"""Settings, read once from ``LIF_*`` environment variables into a frozen ``Config`` and passed down."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    return Path(os.environ.get("LIF_INSTANCE_DIR", Path.cwd() / "instance"))


def _secret_key(instance_dir: Path) -> str:
    configured = os.environ.get("LIF_SECRET_KEY")
    if configured:
        return configured
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    workflows_dir: Path
    https: bool = False
    script_timeout_s: float = 5.0
    script_max_size: int = 10_000_000
    max_upload_bytes: int = 2 * 1024 * 1024
    token_ttl_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    base_url: str = "http://127.0.0.1:5000"
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
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> "Config":
        instance_dir = _instance_dir()
        default_db = f"sqlite:///{instance_dir / 'lif.sqlite3'}"
        values: dict[str, object] = dict(
            database_url=os.environ.get("LIF_DATABASE_URL", default_db),
            secret_key=_secret_key(instance_dir) if "secret_key" not in overrides else overrides["secret_key"],
            workflows_dir=Path(os.environ.get("LIF_WORKFLOWS_DIR", REPO_ROOT / "workflows")),
            https=os.environ.get("LIF_HTTPS", "") == "1",
            script_timeout_s=float(os.environ.get("LIF_SCRIPT_TIMEOUT", "5")),
            token_ttl_hours=int(os.environ.get("LIF_TOKEN_TTL_HOURS", "12")),
            base_url=os.environ.get("LIF_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            mail_backend=os.environ.get("LIF_MAIL_BACKEND", "console"),
            mail_sender=os.environ.get("LIF_MAIL_SENDER", "lif@localhost"),
            mail_file_dir=Path(os.environ["LIF_MAIL_FILE_DIR"]) if os.environ.get("LIF_MAIL_FILE_DIR") else None,
            smtp_host=os.environ.get("LIF_SMTP_HOST", "localhost"),
            smtp_port=int(os.environ.get("LIF_SMTP_PORT", "25")),
            smtp_tls=os.environ.get("LIF_SMTP_TLS", "none"),
            smtp_username=os.environ.get("LIF_SMTP_USERNAME") or None,
            smtp_password=os.environ.get("LIF_SMTP_PASSWORD") or None,
            notify_api_key=os.environ.get("LIF_NOTIFY_API_KEY") or None,
            notify_template_id=os.environ.get("LIF_NOTIFY_TEMPLATE_ID") or None,
        )
        values.update(overrides)
        if str(values["database_url"]).startswith("sqlite:///"):
            Path(str(values["database_url"])[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        return cls(**values)  # type: ignore[arg-type]
