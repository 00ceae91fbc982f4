"""Stopping and starting chat, and maintenance windows, for every API process."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from websockets.sync.client import connect

from domain.jobs.cron import format_ist
from tests.admin.conftest import prompt, with_services
from tests.chat.support import GatedModel, QuickModel, text_of
from tests.helpers import is_end, receive_until, sql, ws_url


def _control(client, admin, **body):
    return client.post("/admin/system/control", json=body, headers=admin["headers"])


def _send(ws, message: str) -> None:
    ws.send(json.dumps({"type": "message", "chat_id": None, "message": message}))


@pytest.fixture
def use_model(stack, monkeypatch):
    """Swap the test worker's chat model for this test."""
    from workers import db
    from workers.chat import _Process

    process = db.run(_Process.get())
    return lambda model: monkeypatch.setattr(process, "model", model)


def test_stopping_chat_refuses_new_prompts_while_a_running_turn_finishes(
    stack, client, admin, member, use_model, chat_restarted
):
    model = GatedModel("Started before the stop. ", "Finished after it.")
    use_model(model)
    url = ws_url(stack["url"], member["access_token"])

    with connect(url) as running, connect(url) as other:
        _send(running, "Write a long essay")
        begun = receive_until(running, lambda e: e["type"] == "text_chunk")
        stopped = _control(client, admin, action="stop", message="Back at 6 pm")
        _send(other, "price of TCS")
        refused = receive_until(other, is_end)[-1]
        model.release()
        rest = receive_until(running, is_end)

        use_model(QuickModel())
        restarted = _control(client, admin, action="start")
        _send(other, "price of TCS")
        again = receive_until(other, is_end)

    assert stopped.status_code == 200 and stopped.json()["state"]["enabled"] is False
    assert refused["code"] == "SYSTEM_DISABLED" and "6 pm" in refused["message"]
    assert rest[-1]["type"] == "message_complete" and rest[-1]["turn_id"] == begun[0]["turn_id"]
    assert "Finished after it." in text_of(rest)
    assert restarted.json()["state"]["enabled"] is True
    assert again[0]["type"] == "turn_started" and again[-1]["type"] == "message_complete"


def test_the_switch_is_kept_in_postgresql(client, admin, chat_restarted):
    _control(client, admin, action="stop", message="Upgrading")

    rows = sql("SELECT chat_enabled, message, updated_by FROM system_state WHERE id = 1")

    assert rows == [(False, "Upgrading", rows[0][2])] and str(rows[0][2]) == admin["id"]


def test_a_stop_on_one_api_process_refuses_prompts_on_another(
    client, admin, member, second_api, chat_restarted
):
    assert prompt(second_api, member["access_token"])[-1]["type"] == "message_complete"

    _control(client, admin, action="stop", message="Stopped from the first process")
    refused = prompt(second_api, member["access_token"])[-1]

    assert refused["code"] == "SYSTEM_DISABLED" and "first process" in refused["message"]


def test_a_lost_redis_copy_is_rebuilt_from_postgresql(stack, client, admin, member, chat_restarted):
    from domain.system import SYSTEM_KEY, SystemDisabled, ensure_chat_enabled, loader_from

    _control(client, admin, action="stop", message="Down for a bit")

    async def lose_copy_then_check(sessions, redis) -> str:
        await redis.delete(SYSTEM_KEY)
        with pytest.raises(SystemDisabled) as by_loader:
            await ensure_chat_enabled(redis, loader_from(sessions))
        await redis.delete(SYSTEM_KEY)
        return by_loader.value.message

    by_loader = with_services(lose_copy_then_check)
    # The socket passes no loader: the API reloads from PostgreSQL by itself.
    by_socket = prompt(stack["url"], member["access_token"])[-1]

    assert by_loader == "Down for a bit"
    assert by_socket["code"] == "SYSTEM_DISABLED" and by_socket["message"] == "Down for a bit"


def test_a_slow_writer_cannot_put_an_older_state_back(client, admin, chat_restarted):
    from sqlalchemy import text

    from domain.system import SYSTEM_KEY, ChatState, sync_system_state

    _control(client, admin, action="start")

    async def sync_from_an_old_snapshot(sessions, redis) -> ChatState:
        # A process that read the state before the change and writes after it.
        async with sessions() as old:
            await old.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            await old.execute(text("SELECT 1 FROM system_state"))
            stopped = _control(client, admin, action="stop", message="Newer")
            assert stopped.status_code == 200
            await sync_system_state(old, redis)
        return ChatState.from_json(await redis.get(SYSTEM_KEY))

    copy = with_services(sync_from_an_old_snapshot)

    assert copy.enabled is False and copy.message == "Newer"


def test_maintenance_refuses_prompts_and_emails_active_users(
    stack, client, mailbox, admin, member, chat_restarted
):
    ends = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)

    response = _control(
        client,
        admin,
        action="maintenance",
        message="Database upgrade tonight",
        ends_at=ends.isoformat(),
        notify_users=True,
    )
    refused = prompt(stack["url"], member["access_token"])[-1]

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"]["maintenance"] is True and body["recipients"] >= 2
    assert body["notice_id"]
    assert refused["code"] == "SYSTEM_DISABLED" and "Database upgrade" in refused["message"]
    mail = mailbox.wait_for(member["email"], "Planned maintenance")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Database upgrade tonight" in text
    assert format_ist(ends) in text  # "4 Dec 2026, 21:30 IST": Indian time


def test_maintenance_mail_respects_the_users_preferences(
    client, drain, admin, member, chat_restarted
):
    client.put("/user/email-preferences", json={"system_notices": False}, headers=member["headers"])

    _control(client, admin, action="maintenance", message="Short outage", notify_users=True)
    drain()

    rows = sql(
        "SELECT status FROM email_log WHERE user_id = :id AND email_type = 'maintenance'",
        id=member["id"],
    )
    assert [r[0] for r in rows] == ["skipped"]


def test_a_maintenance_window_in_the_future_does_not_refuse_prompts_yet(
    stack, client, admin, member, chat_restarted
):
    starts = datetime.now(UTC) + timedelta(days=1)

    _control(
        client,
        admin,
        action="maintenance",
        message="Tomorrow",
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=1)).isoformat(),
    )

    assert prompt(stack["url"], member["access_token"])[-1]["type"] == "message_complete"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "maintenance"}, "message"),
        ({"action": "stop", "notify_users": True}, "notify_users"),
        (
            {
                "action": "maintenance",
                "message": "x",
                "starts_at": "2031-01-02T00:00:00Z",
                "ends_at": "2031-01-01T00:00:00Z",
            },
            "starts_at",
        ),
        ({"action": "maintenance", "message": "x", "ends_at": "2020-01-01T00:00:00Z"}, "ends_at"),
        ({"action": "pause"}, "action"),
    ],
)
def test_bad_control_requests_are_refused_and_change_nothing(client, admin, body, field):
    before = sql("SELECT chat_enabled, maintenance, message FROM system_state")

    response = client.post("/admin/system/control", json=body, headers=admin["headers"])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert sql("SELECT chat_enabled, maintenance, message FROM system_state") == before
