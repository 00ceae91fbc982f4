"""Deciding to send an email: a log row in the caller's transaction, then a
message to the email workers.

The message is dispatched *before* the caller commits. If the broker is down the
caller's transaction rolls back and nothing changed; if the commit fails after
dispatch, the worker finds no log row and drops the message (the action it
announced never happened). Codes and other context travel only in the message,
never in the database.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Unavailable
from domain.mail.catalog import SPECS, EmailType
from domain.mail.models import EmailLog, EmailStatus

log = logging.getLogger("kubera.mail.outbox")


@dataclass(frozen=True)
class OutgoingEmail:
    log_id: uuid.UUID
    email_type: EmailType
    to_email: str
    context: Mapping[str, Any] = field(default_factory=dict)


Dispatch = Callable[[OutgoingEmail], None]


class Outbox:
    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    async def queue(
        self,
        session: AsyncSession,
        email_type: EmailType,
        to_email: str,
        context: Mapping[str, Any],
        *,
        user_id: uuid.UUID | None = None,
        preferences: object | None = None,
    ) -> EmailLog:
        """Record the email and hand it to the workers; skipped if the user opted out."""
        spec = SPECS[email_type]
        opted_out = (
            spec.preference is not None
            and preferences is not None
            and not getattr(preferences, spec.preference)
        )
        row = EmailLog(
            id=uuid.uuid4(),
            user_id=user_id,
            to_email=to_email,
            email_type=email_type.value,
            status=EmailStatus.SKIPPED if opted_out else EmailStatus.QUEUED,
        )
        session.add(row)
        await session.flush()
        if opted_out:
            log.info("email skipped by preference", extra={"email_type": email_type.value})
            return row
        try:
            self._dispatch(OutgoingEmail(row.id, email_type, to_email, dict(context)))
        except Exception as exc:
            log.error("email dispatch failed", extra={"email_type": email_type.value})
            raise Unavailable("Email could not be queued; try again shortly") from exc
        return row
