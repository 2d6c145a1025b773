"""E-mail through the SMTP server of the settings (`ALSFRS_SMTP_*`), with `aiosmtplib`.

One `Mailer` for every job that e-mails (the on-call job, the downtime notice). Failures are
raised as they come and judged by the outbox's one `RetryPolicy`: every SMTP error, refusal or
timeout is worth another try (`retry.classify` treats anything not from Telegram as RETRY), and
`retry.describe` keeps only the exception's class, never the server's words or an address.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import aiosmtplib

from bot.settings import Settings

__all__ = ["Mailer", "SmtpMailer", "message"]


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand one message to the SMTP server; raise when it is not accepted."""
        ...


def message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message (UTF-8)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(body)
    return mail


class SmtpMailer:
    """Sends through `settings.smtp_host`; STARTTLS when `smtp_starttls`, and a login when
    `smtp_user` is set (the password from ALSFRS_SMTP_PASSWORD)."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_host is None:
            raise ValueError("no SMTP server: set ALSFRS_SMTP_HOST")
        self._settings = settings
        self.sender = settings.smtp_from

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        password = None if s.smtp_password is None else s.smtp_password.get_secret_value()
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            start_tls=s.smtp_starttls,
            username=s.smtp_user,
            password=password if s.smtp_user else None,
            timeout=s.smtp_timeout_seconds,
        )
