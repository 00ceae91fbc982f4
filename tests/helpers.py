"""Steps many tests share: registering, reading codes from mail, raw SQL."""

from __future__ import annotations

import os
import re
import uuid

import httpx

from scripts.services import Mailbox, body_text

PASSWORD = "Str0ng!Passw0rd"


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def new_username() -> str:
    return f"u{uuid.uuid4().hex[:12]}"


def code_in(message) -> str:
    match = re.search(r"\b(\d{6})\b", body_text(message))
    assert match, "the email carries a 6-digit code"
    return match.group(1)


def register(
    client: httpx.Client,
    mailbox: Mailbox,
    email: str | None = None,
    username: str | None = None,
    password: str = PASSWORD,
) -> dict:
    """Walk the three registration steps; returns the step-3 body plus credentials."""
    email = email or new_email()
    username = username or new_username()
    assert client.post("/auth/register/step1", json={"email": email}).status_code == 202
    code = code_in(mailbox.wait_for(email, "verification code"))
    assert (
        client.post("/auth/register/step2", json={"email": email, "otp": code}).status_code == 200
    )
    response = client.post(
        "/auth/register/step3",
        json={
            "email": email,
            "username": username,
            "password": password,
        },
    )
    assert response.status_code == 201, response.text
    return response.json() | {"email": email, "username": username, "password": password}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sql(statement: str, **params):
    """Run one statement against the test database; returns all rows."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from domain.db.session import async_url

    async def run():
        engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return result.all() if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def ws_url(base_url: str, token: str) -> str:
    return base_url.replace("http://", "ws://") + f"/ws/chat?token={token}"


def receive_until(ws, done, timeout_s: float = 60.0) -> list[dict]:
    """Events from `ws` up to and including the first for which `done(event)`."""
    import json

    received = []
    while True:
        event = json.loads(ws.recv(timeout=timeout_s))
        received.append(event)
        if done(event):
            return received


def is_end(event: dict) -> bool:
    return event["type"] in ("message_complete", "error")
