"""The email queue: rendered from templates, sent over SMTP, logged, retried
on transient faults, and never sent twice for one decision.
"""

from __future__ import annotations

import logging
import uuid

from domain.mail.catalog import EmailType
from domain.mail.outbox import OutgoingEmail
from tests.helpers import new_email, sql

CODE_CONTEXT = {
    "app_name": "Kubera",
    "app_url": "http://x",
    "username": "someone",
    "code": "987654",
    "expires_minutes": 10,
}


def _log_row(email: str):
    rows = sql(
        "SELECT id, email_type, status::text, attempts, subject FROM email_log "
        "WHERE to_email = :e ORDER BY created_at",
        e=email,
    )
    assert rows, "the email was logged"
    return rows[-1]


def test_an_email_arrives_with_text_and_html_and_is_logged_as_sent(client, mailbox, drain):
    email = new_email()
    client.post("/auth/register/step1", json={"email": email})

    message = mailbox.wait_for(email, "verification code")
    drain()

    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    _, kind, status, attempts, subject = _log_row(email)
    assert (kind, status, attempts) == ("otp_registration", "sent", 1)
    assert subject == message["Subject"]


def test_a_refused_delivery_is_retried_until_it_goes_through(client, mailbox, drain):
    email = new_email()
    mailbox.refuse_next(2)

    client.post("/auth/register/step1", json={"email": email})

    assert mailbox.wait_for(email, "verification code")
    drain()
    _, _, status, attempts, _ = _log_row(email)
    assert status == "sent" and attempts == 3


def test_a_redelivered_message_does_not_send_the_email_twice(stack, client, mailbox, drain):
    from workers.email import dispatch

    email = new_email()
    client.post("/auth/register/step1", json={"email": email})
    mailbox.wait_for(email, "verification code")
    drain()
    log_id = _log_row(email)[0]

    dispatch(OutgoingEmail(log_id, EmailType.OTP_REGISTRATION, email, CODE_CONTEXT))
    drain()

    assert len(mailbox.to(email)) == 1


def test_a_message_whose_request_never_committed_is_dropped(stack, mailbox, drain):
    from workers.email import dispatch

    email = new_email()
    dispatch(OutgoingEmail(uuid.uuid4(), EmailType.WELCOME, email, CODE_CONTEXT))
    drain()

    assert mailbox.to(email) == []


def test_each_finished_message_logs_one_summary_line(client, mailbox, drain):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("kubera.workers")
    logger.addHandler(handler)
    try:
        email = new_email()
        client.post("/auth/register/step1", json={"email": email})
        mailbox.wait_for(email, "verification code")
        drain()
    finally:
        logger.removeHandler(handler)

    lines = [r for r in records if r.getMessage() == "message finished"]
    assert lines
    line = lines[-1]
    assert line.actor == "send_email" and line.outcome == "ok"
    assert line.queue_wait_ms >= 0 and line.run_ms >= 0 and line.message_id


def test_a_queued_message_shows_neither_the_code_nor_its_context(stack, monkeypatch):
    from workers import email as email_actor

    sent = []
    monkeypatch.setattr(email_actor.send_email, "send", lambda *args: sent.append(args))

    email_actor.dispatch(
        OutgoingEmail(uuid.uuid4(), EmailType.OTP_REGISTRATION, new_email(), CODE_CONTEXT)
    )

    message = email_actor.send_email.message(*sent[0])
    assert "987654" not in str(message) and "987654" not in message.encode().decode()
