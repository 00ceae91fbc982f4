"""Issue 6's "done when", end to end: the seeded admin signs in with the
emailed code, sees the dashboard, limits a user and sees it enforced, stops
and starts chat, and finds each action in the activity log."""

from __future__ import annotations

import asyncio

import jwt
from pydantic import SecretStr

from tests.admin.conftest import admin_login, prompt
from tests.helpers import bearer, new_email, new_username, register


def _seed_admin() -> dict:
    """What `make dev` does (scripts.bootstrap.seed_admin), for a fresh address."""
    from domain.accounts.seed import ensure_admin
    from domain.db.session import make_engine, make_sessionmaker
    from domain.settings import AdminSettings, get_settings

    wanted = AdminSettings(email=new_email(), username=new_username(), password=SecretStr(""))

    async def run() -> str | None:
        engine = make_engine(get_settings().database)
        try:
            async with make_sessionmaker(engine)() as session:
                return await ensure_admin(session, wanted)
        finally:
            await engine.dispose()

    password = asyncio.run(run())
    assert password, "ensure_admin generates and returns the first password"
    return {"email": wanted.email, "username": wanted.username, "password": password}


def test_the_seeded_admin_runs_the_service_from_the_panel(stack, client, mailbox):
    seeded = _seed_admin()
    token = admin_login(client, mailbox, seeded)
    h, admin_id = bearer(token), jwt.decode(token, options={"verify_signature": False})["sub"]
    user = register(client, mailbox)
    user_id = user["user"]["id"]

    dashboard = client.get("/admin/dashboard", headers=h)
    limited = client.put(
        f"/admin/rate-limits/user/{user_id}", json={"burst_per_minute": 1}, headers=h
    )
    first = prompt(stack["url"], user["access_token"])[-1]
    second = prompt(stack["url"], user["access_token"])[-1]
    client.post(f"/admin/rate-limits/reset/{user_id}", headers=h)
    stopped = client.post("/admin/system/control", json={"action": "stop"}, headers=h)
    while_stopped = prompt(stack["url"], user["access_token"])[-1]
    started = client.post("/admin/system/control", json={"action": "start"}, headers=h)
    after_start = prompt(stack["url"], user["access_token"])[-1]
    log = client.get("/admin/activity-logs", params={"admin_id": admin_id}, headers=h).json()

    assert dashboard.status_code == 200 and dashboard.json()["users"]["total"] >= 2
    assert limited.status_code == 200
    assert first["type"] == "message_complete"
    assert second["code"] == "RATE_LIMITED" and second["level"] == "burst"
    assert stopped.status_code == 200 and while_stopped["code"] == "SYSTEM_DISABLED"
    assert started.status_code == 200 and after_start["type"] == "message_complete"
    assert [e["action"] for e in log["items"]] == [
        "system.start",
        "system.stop",
        "rate_limits.reset",
        "rate_limits.override",
        "admin.login",
    ]
