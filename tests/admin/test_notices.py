"""The maintenance notice job: batches, preferences, one email per user however
often its messages are redelivered."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable

import pytest

from domain.accounts.common import Accounts
from domain.admin import notices
from domain.admin.audit import Actor
from domain.admin.notices import Progress
from domain.errors import Unavailable
from domain.mail.outbox import Outbox, OutgoingEmail
from domain.settings import get_settings
from domain.system import ChatState
from tests.admin.conftest import with_services
from tests.helpers import register, sql


class FlakyOutbox:
    """Collects the emails handed to the email queue; refuses the n-th, as a
    broker failing mid-batch would."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.sent: list[OutgoingEmail] = []
        self.fail_at = fail_at
        self.calls = 0

    def dispatch(self, email: OutgoingEmail) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise ConnectionError("broker went away")
        self.sent.append(email)

    def accounts(self) -> Accounts:
        return Accounts(settings=get_settings(), outbox=Outbox(self.dispatch))


def _new_run(admin_id: str, message: str) -> uuid.UUID:
    async def create(sessions, _redis) -> uuid.UUID:
        async with sessions() as session:
            state = ChatState(maintenance=True, message=message)
            run = notices.new_notice(session, Actor(uuid.UUID(admin_id)), state)
            await session.commit()
            return run.id

    return with_services(create)


def _wanted_recipients() -> set[str]:
    # No preferences row (a user made outside sign-up) means the defaults: on.
    rows = sql(
        "SELECT u.email FROM users u LEFT JOIN email_preferences p ON p.user_id = u.id "
        "WHERE u.is_active AND coalesce(p.system_notices, true)"
    )
    return {email for (email,) in rows}


def _until_done(sessions, accounts, run_id: uuid.UUID, size: int) -> Awaitable[list[Progress]]:
    """One message after another, as each one sends the next."""

    async def chain() -> list[Progress]:
        seen = [await notices.send_batch(sessions, accounts, run_id, size=size)]
        while seen[-1] is Progress.MORE:
            seen.append(await notices.send_batch(sessions, accounts, run_id, size=size))
        return seen

    return chain()


def test_a_batch_broken_midway_and_redelivered_mails_each_user_once(client, mailbox, admin, member):
    for _ in range(3):  # enough users for the third email to be refused
        register(client, mailbox)
    run_id = _new_run(admin["id"], "Redelivered notice")
    outbox = FlakyOutbox(fail_at=3)

    async def deliver(sessions, _redis) -> list[Progress]:
        accounts = outbox.accounts()
        with pytest.raises(Unavailable):
            await _until_done(sessions, accounts, run_id, size=2)
        # Dramatiq redelivers the failed message; later the finished one again.
        return [
            *await _until_done(sessions, accounts, run_id, size=2),
            await notices.send_batch(sessions, accounts, run_id, size=2),
        ]

    progress = with_services(deliver)

    per_address = Counter(email.to_email for email in outbox.sent)
    assert progress[-2:] == [Progress.DONE, Progress.DONE]
    assert set(per_address) == _wanted_recipients() and set(per_address.values()) == {1}
    assert {email.context["message"] for email in outbox.sent} == {"Redelivered notice"}


def test_two_messages_of_one_notice_at_once_still_mail_each_user_once(admin, member):
    run_id = _new_run(admin["id"], "Forked notice")
    outbox = FlakyOutbox()

    async def deliver_twice(sessions, _redis) -> None:
        accounts = outbox.accounts()
        await asyncio.gather(
            _until_done(sessions, accounts, run_id, size=3),
            _until_done(sessions, accounts, run_id, size=3),
        )

    with_services(deliver_twice)

    per_address = Counter(email.to_email for email in outbox.sent)
    assert set(per_address) == _wanted_recipients() and set(per_address.values()) == {1}
    active = sql("SELECT count(*) FROM users WHERE is_active")[0][0]
    run = sql("SELECT state, outcome, detail->>'users' FROM job_runs WHERE id = :id", id=run_id)
    assert run == [("finished", "ok", str(active))]


def test_a_message_that_overtakes_its_request_waits_for_the_commit(admin, member):
    outbox = FlakyOutbox()

    async def overtake(sessions, _redis) -> tuple[Progress, list[Progress]]:
        accounts = outbox.accounts()
        async with sessions() as request:
            state = ChatState(maintenance=True, message="Overtaken")
            run = notices.new_notice(request, Actor(uuid.UUID(admin["id"])), state)
            await request.flush()
            early = await notices.send_batch(sessions, accounts, run.id)
            await request.commit()
        return early, await _until_done(sessions, accounts, run.id, size=500)

    early, later = with_services(overtake)

    assert early is Progress.MISSING  # the actor retries a few times, then drops it
    assert later == [Progress.DONE] and member["email"] in {e.to_email for e in outbox.sent}


def test_the_notice_job_redelivered_after_it_finished_sends_nothing_more(
    client, drain, admin, member, chat_restarted
):
    from workers.admin import send_maintenance_notice

    response = client.post(
        "/admin/system/control",
        json={"action": "maintenance", "message": "Sent once", "notify_users": True},
        headers=admin["headers"],
    )
    notice_id = response.json()["notice_id"]
    drain()
    count = "SELECT count(*) FROM email_log WHERE user_id = :id AND email_type = 'maintenance'"
    first = sql(count, id=member["id"])

    send_maintenance_notice.send(notice_id)
    drain()

    assert first == [(1,)] and sql(count, id=member["id"]) == [(1,)]
    run = sql("SELECT state, requested_by FROM job_runs WHERE id = :id", id=notice_id)
    assert run[0][0] == "finished" and str(run[0][1]) == admin["id"]


def test_a_notice_that_fails_for_good_ends_failed_instead_of_running(
    drain, admin, member, monkeypatch
):
    import workers.admin
    from workers.admin import DEFAULT_NOTICE_RETRIES, send_maintenance_notice

    run_id = _new_run(admin["id"], "Never sent")

    async def broken(*_args, **_kwargs):
        raise ConnectionError("the mail queue went away")

    monkeypatch.setattr(workers.admin, "send_batch", broken)
    # Its last try: as many retries behind it as it is allowed.
    send_maintenance_notice.send_with_options(args=(str(run_id),), retries=DEFAULT_NOTICE_RETRIES)
    drain()

    run = sql(
        "SELECT state, outcome, detail->>'error', detail->>'message' FROM job_runs WHERE id = :id",
        id=run_id,
    )
    assert run == [("finished", "failed", "ConnectionError", "the mail queue went away")]
