"""Email backends: console (the default: logs each message), file (one .eml per message), SMTP (host,
port, TLS, credentials, sender) and GOV.UK Notify (optional ``notifications-python-client``)."""
from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

from engine.config import Config
from engine.store.models import Notification
from engine.text import one_line

log = logging.getLogger(__name__)


class Backend(Protocol):
    def send(self, row: Notification) -> None: ...


def build_message(row: Notification, sender: str) -> EmailMessage:
    """The email for an outbox row. Header values are made one line whatever the row holds (a row written before
    subjects were cleaned, an address with a stray line break), so no row can fail to build on every attempt."""
    message = EmailMessage()
    message["From"] = one_line(sender)
    message["To"] = one_line(row.address or "")
    message["Subject"] = one_line(row.subject or "")
    message["Date"] = formatdate(localtime=False)
    # A stable Message-ID from the idempotency key lets mail systems drop a rare re-send after a crash.
    message["Message-ID"] = f"<{hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]}@lif.local>"
    message["X-LIF-Idempotency-Key"] = row.idempotency_key
    message.set_content(row.body)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


class ConsoleBackend:
    def __init__(self, config: Config) -> None:
        self.sender = config.mail_sender

    def send(self, row: Notification) -> None:  # the log gets no address, subject or body: they are personal data
        log.info("email %s (%s) not sent: the console backend sends nothing; LIF_MAIL_BACKEND=file keeps each "
                 "message as a file", row.id, row.kind)


class FileBackend:
    def __init__(self, config: Config) -> None:
        self.sender = config.mail_sender
        self.folder = config.mail_file_dir or Path("instance") / "mail"
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, row: Notification) -> None:
        (self.folder / f"{row.id:08d}.eml").write_bytes(bytes(build_message(row, self.sender)))


class SmtpBackend:
    def __init__(self, config: Config) -> None:
        self.config = config

    def send(self, row: Notification) -> None:
        c = self.config
        if c.smtp_tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(c.smtp_host, c.smtp_port, timeout=30,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=30)
        with client:
            if c.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if c.smtp_username:
                client.login(c.smtp_username, c.smtp_password or "")
            client.send_message(build_message(row, c.mail_sender))


class NotifyBackend:
    """GOV.UK Notify: one template with ``subject`` and ``body`` personalisation fields."""

    def __init__(self, config: Config) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient  # optional extra

        if not config.notify_api_key or not config.notify_template_id:
            raise ValueError("LIF_NOTIFY_API_KEY and LIF_NOTIFY_TEMPLATE_ID are required for the notify backend")
        self.client = NotificationsAPIClient(config.notify_api_key)
        self.template_id = config.notify_template_id

    def send(self, row: Notification) -> None:
        self.client.send_email_notification(email_address=row.address, template_id=self.template_id,
                                            personalisation={"subject": one_line(row.subject or ""), "body": row.body},
                                            reference=row.idempotency_key)


BACKENDS: dict[str, Callable[[Config], Backend]] = {"console": ConsoleBackend, "file": FileBackend,
                                                    "smtp": SmtpBackend, "notify": NotifyBackend}


def backend_for(config: Config) -> Backend:
    try:
        return BACKENDS[config.mail_backend](config)
    except KeyError:
        raise ValueError(f"unknown LIF_MAIL_BACKEND {config.mail_backend!r}; use one of {sorted(BACKENDS)}") from None
