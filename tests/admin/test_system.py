"""Stopping and starting chat, and maintenance windows, for every API process."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from websockets.sync.client import connect

from tests.admin.conftest import prompt
from tests.helpers import is_end, receive_until, sql, ws_url


def _control(client, admin, **body):
    return client.post("/admin/system/control", json=body, headers=admin["headers"])


@pytest.fixture
def chat_restarted(client, admin):
    """Whatever a test does to the switch, chat is on again afterwards."""
    yield
    assert _control(client, admin, action="start").status_code == 200


def _send(ws, message: str) -> None:
    ws.send(json.dumps({"type": "message", "chat_id": None, "message": message}))


def test_stopping_chat_refuses_new_prompts_while_a_running_turn_finishes(
    stack, client, admin, member, chat_restarted
):
    with connect(ws_url(stack["url"], member["access_token"])) as ws:
        _send(ws, "Analyse INFY")
        started = receive_until(ws, lambda e: e["type"] == "turn_started")[-1]

        stopped = _control(client, admin, action="stop", message="Back at 6 pm")
        rest = receive_until(ws, is_end)
        _send(ws, "price of TCS")
        refused = receive_until(ws, is_end)[-1]

        restarted = _control(client, admin, action="start")
        _send(ws, "price of TCS")
        again = receive_until(ws, is_end)

    assert stopped.status_code == 200 and stopped.json()["state"]["enabled"] is False
    assert rest[-1]["type"] == "message_complete"
    assert rest[-1]["turn_id"] == started["turn_id"]
    assert refused["code"] == "SYSTEM_DISABLED" and "6 pm" in refused["message"]
    assert restarted.json()["state"]["enabled"] is True
    assert again[0]["type"] == "turn_started" and again[-1]["type"] == "message_complete"


def test_the_switch_is_kept_in_postgresql(client, admin, chat_restarted):
    _control(client, admin, action="stop", message="Upgrading")

    rows = sql("SELECT chat_enabled, message, updated_by FROM system_state WHERE id = 1")

    assert rows == [(False, "Upgrading", rows[0][2])] and str(rows[0][2]) == admin["id"]


def test_a_lost_redis_copy_is_rebuilt_from_postgresql(stack, client, admin, chat_restarted):
    from redis.asyncio import Redis

    from domain.db.session import async_url
    from domain.settings import get_settings
    from domain.system import (
        SYSTEM_KEY,
        SystemDisabled,
        ensure_chat_enabled,
        loader_from,
        sync_system_state,
    )

    _control(client, admin, action="stop", message="Down for a bit")

    async def check() -> tuple[str, str]:
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        engine = create_async_engine(async_url(stack["database_url"]))
        sessions = async_sessionmaker(engine)
        redis = Redis.from_url(get_settings().redis.url)
        try:
            await redis.delete(SYSTEM_KEY)
            with pytest.raises(SystemDisabled) as by_loader:
                await ensure_chat_enabled(redis, loader_from(sessions))
            await redis.delete(SYSTEM_KEY)
            async with sessions() as session:
                await sync_system_state(session, redis)
            with pytest.raises(SystemDisabled) as after_sync:
                await ensure_chat_enabled(redis)
            return by_loader.value.message, after_sync.value.message
        finally:
            await redis.aclose()
            await engine.dispose()

    assert asyncio.run(check()) == ("Down for a bit", "Down for a bit")


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
    assert refused["code"] == "SYSTEM_DISABLED" and "Database upgrade" in refused["message"]
    mail = mailbox.wait_for(member["email"], "Planned maintenance")
    assert "Database upgrade tonight" in mail.get_body(preferencelist=("plain",)).get_content()


def test_maintenance_mail_respects_the_users_preferences(
    client, mailbox, admin, member, chat_restarted
):
    client.put("/user/email-preferences", json={"system_notices": False}, headers=member["headers"])

    _control(client, admin, action="maintenance", message="Short outage", notify_users=True)

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
