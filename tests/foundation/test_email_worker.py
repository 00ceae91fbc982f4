"""The email queue: rendered from templates, sent over SMTP, logged, retried
on transient faults, and never sent twice for one decision.
"""

from __future__ import annotations

import logging
import os
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


def test_an_email_refused_on_every_attempt_is_marked_failed_with_the_reason(client, mailbox, drain):
    drain()  # nothing else in flight may take the refusals
    email = new_email()
    attempts = int(os.environ["WORKER_EMAIL_MAX_RETRIES"]) + 1
    mailbox.refuse_next(attempts)

    client.post("/auth/register/step1", json={"email": email})
    drain()

    assert mailbox.to(email) == []
    (status, tries, error) = sql(
        "SELECT status::text, attempts, last_error FROM email_log WHERE to_email = :e", e=email
    )[0]
    assert (status, tries) == ("failed", attempts)
    assert "451" in error


def _queued_row(email: str) -> uuid.UUID:
    log_id = uuid.uuid4()
    sql(
        "INSERT INTO email_log (id, to_email, email_type, status) "
        "VALUES (:id, :e, 'welcome', 'queued')",
        id=log_id,
        e=email,
    )
    return log_id


def test_an_email_its_templates_cannot_render_fails_at_once_and_says_why(stack, mailbox, drain):
    from workers.email import dispatch

    email = new_email()
    log_id = _queued_row(email)

    # A welcome email needs the username; this one leaves it out.
    dispatch(OutgoingEmail(log_id, EmailType.WELCOME, email, {"app_name": "K", "app_url": "x"}))
    drain()

    assert mailbox.to(email) == []
    (status, tries, error) = sql(
        "SELECT status::text, attempts, last_error FROM email_log WHERE id = :id", id=log_id
    )[0]
    assert (status, tries) == ("failed", 1)
    assert "username" in error


def test_an_email_whose_sealed_context_is_broken_fails_instead_of_waiting(stack, mailbox, drain):
    from workers.email import send_email

    email = new_email()
    log_id = _queued_row(email)

    send_email.send(str(log_id), EmailType.WELCOME.value, email, "not-a-sealed-payload")
    drain()

    rows = sql("SELECT status::text, attempts FROM email_log WHERE id = :id", id=log_id)
    assert rows == [("failed", 1)]
