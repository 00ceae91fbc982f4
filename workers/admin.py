"""The `jobs` queue's admin actor: the maintenance notice to every user.

One message mails one batch (domain.admin.notices) and sends the next, so no
message runs long whatever the number of users, and a redelivered one resumes
where the committed work ends.
"""

from __future__ import annotations

import logging
import uuid

import dramatiq
from dramatiq.middleware import CurrentMessage

from domain.admin.notices import Progress, give_up, send_batch
from workers import db
from workers.broker import broker
from workers.portfolio import accounts

log = logging.getLogger("kubera.workers.admin")

# The request that queued a notice commits just after sending it; a worker
# quick enough to get there first waits this long, a few times, for the run.
MISSING_RUN_DELAY_MS = 250
MISSING_RUN_RETRIES = 4
DEFAULT_NOTICE_RETRIES = 8


def _retries() -> int:
    message = CurrentMessage.get_current_message()
    return message.options.get("retries", 0) if message else 0


@dramatiq.actor(queue_name="jobs", max_retries=DEFAULT_NOTICE_RETRIES)
def send_maintenance_notice(run_id: str) -> None:
    """Mail the next batch of the notice `run_id`, then hand on to the next."""
    try:
        progress = db.run(send_batch(db.sessions(), accounts(), uuid.UUID(run_id)))
    except Exception as exc:  # Dramatiq retries it; after the last try, say so
        if _retries() >= DEFAULT_NOTICE_RETRIES:
            db.run(give_up(db.sessions(), uuid.UUID(run_id), exc))
        raise
    if progress is Progress.MORE:
        send_maintenance_notice.send(run_id)
    elif progress is Progress.MISSING:
        if _retries() < MISSING_RUN_RETRIES:
            raise dramatiq.Retry(delay=MISSING_RUN_DELAY_MS)
        log.warning("maintenance notice dropped: its request never committed")


def enqueue_notice(run_id: uuid.UUID) -> None:
    """domain.admin.control's Enqueue hook for the web process."""
    send_maintenance_notice.send(str(run_id))


__all__ = ["broker", "enqueue_notice", "send_maintenance_notice"]
