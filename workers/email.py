"""The `email` queue: render, send over SMTP, record the outcome.

A message carries the email log row's id plus the template context, sealed
(codes live only there, encrypted, never in the database or a log line).
Sending is idempotent: a redelivered message whose row is already `sent` does
nothing. Every attempt is counted on the row; an email that cannot be rendered
fails at once (a retry would render it the same), a refused or broken SMTP
delivery is retried with backoff and marked `failed` after the last retry.
"""

from __future__ import annotations

import logging
import uuid
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
import dramatiq
from dramatiq.middleware import CurrentMessage

from domain.db.base import utcnow
from domain.mail.catalog import EmailType
from domain.mail.models import EmailLog, EmailStatus
from domain.mail.outbox import OutgoingEmail
from domain.mail.render import render
from domain.sealing import seal, unseal
from domain.settings import SmtpSettings, get_settings
from workers import db
from workers.broker import broker

log = logging.getLogger("kubera.workers.email")

# The request that queued an email commits just after dispatch; a worker quick
# enough to get there first waits this long, a few times, for the row to appear.
MISSING_ROW_DELAY_MS = 250
MISSING_ROW_RETRIES = 4


def _retries() -> int:
    message = CurrentMessage.get_current_message()
    return message.options.get("retries", 0) if message else 0


async def _smtp_send(settings: SmtpSettings, to_email: str, rendered) -> None:
    message = EmailMessage()
    message["From"] = formataddr((settings.from_name, settings.from_email))
    message["To"] = to_email
    message["Subject"] = rendered.subject
    message["Message-ID"] = make_msgid(domain=settings.from_email.rpartition("@")[2] or None)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    await aiosmtplib.send(
        message,
        hostname=settings.host,
        port=settings.port,
        username=settings.user or None,
        password=settings.password.get_secret_value() or None,
        use_tls=settings.ssl,
        start_tls=settings.starttls,
        timeout=settings.timeout_s,
    )


class Undeliverable(Exception):
    """An email no retry can send: its context cannot be unsealed or rendered,
    or SMTP refused it on every attempt it was given."""


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


async def _deliver(
    log_id: uuid.UUID,
    email_type: EmailType,
    to_email: str,
    sealed_context: str,
    retries: int,
    max_attempts: int,
) -> None:
    settings = get_settings()
    fields = {"email_type": email_type.value, "log_id": str(log_id)}
    async with db.sessions()() as session:
        row = await session.get(EmailLog, log_id, with_for_update=True)
        if row is None:
            if retries < MISSING_ROW_RETRIES:
                raise dramatiq.Retry(delay=MISSING_ROW_DELAY_MS)
            log.warning("email dropped: its request never committed", extra=fields)
            return
        if row.status in (EmailStatus.SENT, EmailStatus.SKIPPED, EmailStatus.FAILED):
            return
        row.attempts += 1
        try:
            context = unseal(settings.jwt.secret.get_secret_value(), sealed_context)
            rendered = render(email_type, context)
        except Exception as exc:  # a broken seal or a template bug: retries cannot help
            row.status, row.last_error = EmailStatus.FAILED, _describe(exc)
            await session.commit()
            log.error("email failed: not renderable", extra=fields)
            raise Undeliverable(row.last_error) from exc
        row.subject = rendered.subject[:255]
        try:
            await _smtp_send(settings.smtp, to_email, rendered)
        except Exception as exc:  # recorded whatever it is; the broker retries it
            # Counted on the row, not by the broker: waiting for the row
            # above spends broker retries but no SMTP attempt.
            row.last_error = _describe(exc)
            if row.attempts >= max_attempts:
                row.status = EmailStatus.FAILED
                await session.commit()
                log.error("email failed for good", extra=fields | {"attempts": row.attempts})
                raise Undeliverable(row.last_error) from exc
            await session.commit()
            log.warning("email not sent yet", extra=fields | {"attempts": row.attempts})
            raise
        row.status = EmailStatus.SENT
        row.sent_at = utcnow()
        row.last_error = None
        await session.commit()


_worker = get_settings().worker


@dramatiq.actor(
    queue_name="email",
    # The row decides when SMTP has had enough tries; this ceiling only adds
    # the retries spent waiting for a request's commit.
    max_retries=_worker.email_max_retries + MISSING_ROW_RETRIES,
    min_backoff=_worker.email_min_backoff_ms,
    max_backoff=_worker.email_max_backoff_ms,
    throws=(Undeliverable,),
)
def send_email(log_id: str, email_type: str, to_email: str, sealed_context: str) -> None:
    db.run(
        _deliver(
            uuid.UUID(log_id),
            EmailType(email_type),
            to_email,
            sealed_context,
            _retries(),
            _worker.email_max_retries + 1,
        )
    )


def dispatch(email: OutgoingEmail) -> None:
    """The Outbox's hook: hands an email to the `email` queue."""
    secret = get_settings().jwt.secret.get_secret_value()
    sealed = seal(secret, dict(email.context))
    send_email.send(str(email.log_id), email.email_type.value, email.to_email, sealed)


__all__ = ["broker", "dispatch", "send_email"]
