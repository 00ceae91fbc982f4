"""Admins made the way an operator would: a registered account promoted in
the database, then signed in through the two admin steps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from scripts.bootstrap import serve_in_thread
from scripts.services import Mailbox, free_port
from tests.helpers import bearer, code_in, is_end, receive_until, register, sql, ws_url


def admin_login(client: httpx.Client, mailbox: Mailbox, account: dict) -> str:
    """Both admin steps; returns the access token. Once per account (the code
    is read from the first sign-in email to the address)."""
    return admin_sign_in(client, mailbox, account)["access_token"]


def admin_sign_in(client: httpx.Client, mailbox: Mailbox, account: dict) -> dict:
    """Both admin steps; the answer (tokens and user)."""
    step1 = client.post(
        "/admin/login/send-otp",
        json={"username": account["username"], "password": account["password"]},
    )
    assert step1.status_code == 202, step1.text
    code = code_in(mailbox.wait_for(account["email"], "admin panel sign-in code"))
    step2 = client.post(
        "/admin/login/verify-otp", json={"username": account["username"], "otp": code}
    )
    assert step2.status_code == 200, step2.text
    return step2.json()


def make_admin(client: httpx.Client, mailbox: Mailbox) -> dict:
    account = register(client, mailbox)
    sql("UPDATE users SET role = 'admin' WHERE id = :id", id=account["user"]["id"])
    signed_in = admin_sign_in(client, mailbox, account)
    token = signed_in["access_token"]
    return account | {
        "id": account["user"]["id"],
        "token": token,
        "headers": bearer(token),
        "admin_refresh_token": signed_in["refresh_token"],
    }


@pytest.fixture
def admin(client, mailbox) -> dict:
    return make_admin(client, mailbox)


@pytest.fixture
def member(client, mailbox) -> dict:
    account = register(client, mailbox)
    return account | {"id": account["user"]["id"], "headers": bearer(account["access_token"])}


def prompt(base_url: str, token: str, message: str = "price of TCS") -> list[dict]:
    """One prompt over a fresh socket; the events up to the turn's end (or an error)."""
    with connect(ws_url(base_url, token)) as ws:
        ws.send(json.dumps({"type": "message", "chat_id": None, "message": message}))
        return receive_until(ws, is_end)


@pytest.fixture
def chat_restarted(client, admin):
    """Whatever a test does to the switch, chat is on again afterwards."""
    yield
    response = client.post(
        "/admin/system/control", json={"action": "start"}, headers=admin["headers"]
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def second_api(stack):
    """Another API process's worth: its own app, engine, Redis client and relay."""
    port = free_port()
    server, thread = serve_in_thread(port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def with_services(work: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """Run `work(sessions, redis)` on a fresh event loop with its own database
    engine and Redis client, as a separate process would."""
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from domain.db.session import async_url
    from domain.settings import get_settings

    async def run() -> Any:
        settings = get_settings()
        engine = create_async_engine(async_url(settings.database.url))
        redis = Redis.from_url(settings.redis.url)
        try:
            return await work(async_sessionmaker(engine, expire_on_commit=False), redis)
        finally:
            await redis.aclose()
            await engine.dispose()

    return asyncio.run(run())
