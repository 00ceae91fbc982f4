"""The chat WebSocket: authentication (bad, expired and revoked tokens), the
protocol's small messages, errors as events, ownership, the system switch,
and whole turns answered by the offline analyst over the demo market.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.chat.support import next_event, send, text_of
from tests.helpers import bearer, is_end, receive_until, register, sql, ws_url

CLOSE_UNAUTHORIZED = 4401


@pytest.fixture
def ws(stack, account):
    with connect(ws_url(stack["url"], account["access_token"])) as socket:
        yield socket


def _expired_token(user_id: str) -> str:
    from domain.accounts import tokens
    from domain.settings import get_settings

    jwt = get_settings().jwt
    long_ago = datetime.now(UTC) - timedelta(seconds=jwt.access_ttl_s + 3600)
    return tokens.issue(jwt, uuid.UUID(user_id), "access", now=long_ago)[0]


@pytest.fixture
def server_clock_ahead(monkeypatch):
    """`advance()` moves the clocks the API checks tokens against two days on."""
    import jwt.api_jwt

    from domain.accounts import tokens

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=2)

    def advance() -> None:
        monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
        monkeypatch.setattr(tokens, "datetime", Later)

    return advance


def test_a_socket_with_a_bad_token_is_refused_before_it_opens(stack):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(stack["url"], "not-a-token"))

    assert refused.value.response.status_code == 403


def test_a_socket_with_an_expired_token_is_refused_before_it_opens(stack, account):
    token = _expired_token(account["user"]["id"])

    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(stack["url"], token))

    assert refused.value.response.status_code == 403


def test_a_token_that_expires_while_the_socket_is_open_closes_it(ws, server_clock_ahead):
    send(ws, type="ping")
    assert next_event(ws) == {"type": "pong"}

    server_clock_ahead()
    send(ws, type="message", message="price of TCS")
    refusal = next_event(ws)

    assert refusal["type"] == "error" and refusal["code"] == "UNAUTHORIZED"
    assert "expired" in refusal["message"]
    with pytest.raises(ConnectionClosed) as closed:
        next_event(ws)
    assert closed.value.rcvd.code == CLOSE_UNAUTHORIZED


def test_ping_gets_pong(ws):
    send(ws, type="ping")

    assert next_event(ws) == {"type": "pong"}


def test_malformed_frames_get_error_events_and_the_socket_stays_open(ws):
    frames = [
        "{not json",
        b"\x00\x01binary",
        "[1, 2]",
        '"ping"',
        '{"type": "shout"}',
        '{"type": "message", "message": "   "}',
        '{"type": "message", "message": {"text": "hi"}}',
        '{"type": "message", "message": "hi", "chat_id": 42}',
        '{"type": "resume", "turn_id": "nope"}',
        json.dumps({"type": "resume", "turn_id": str(uuid.uuid4()), "after": "3"}),
        '{"type": "cancel"}',
    ]
    replies = []
    for frame in frames:
        ws.send(frame)
        replies.append(next_event(ws))
    send(ws, type="ping")

    assert [(r["type"], r["code"]) for r in replies] == [("error", "VALIDATION")] * len(frames)
    assert [r.get("field") for r in replies[5:]] == [
        "message",
        "message",
        "chat_id",
        "turn_id",
        "after",
        "turn_id",
    ]
    assert next_event(ws) == {"type": "pong"}


def test_a_prompt_without_a_chat_starts_one_and_streams_a_grounded_answer(ws, client, account):
    send(ws, type="message", chat_id=None, message="Analyse INFY")
    events = receive_until(ws, is_end)

    started, complete = events[0], events[-1]
    assert started["type"] == "turn_started" and started["chat_id"]
    assert complete["type"] == "message_complete", complete
    assert all(e["turn_id"] == started["turn_id"] for e in events)
    assert [e["seq"] for e in events] == list(range(len(events)))
    kinds = {e["type"] for e in events}
    assert {"tool_call_start", "tool_call_complete", "text_chunk"} <= kinds
    text = text_of(events)
    assert "Infosys" in text and "demo" in text.lower()
    meta = complete["metadata"]
    assert meta["data_source"] == "demo" and meta["tools_used"]
    assert meta["unverified_numbers"] == []

    chat = client.get(
        f"/chats/{started['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant"]
    assert chat["messages"][1]["content"] == text
    assert chat["messages"][1]["tool_calls"][0]["result"]["source"] == "demo"


def test_a_follow_up_in_the_same_chat_is_stored_in_it(ws, client, account):
    send(ws, type="message", message="price of TCS")
    chat_id = receive_until(ws, is_end)[0]["chat_id"]

    send(ws, type="message", chat_id=chat_id, message="and its fundamentals?")
    events = receive_until(ws, is_end)

    assert events[0]["chat_id"] == chat_id and events[-1]["type"] == "message_complete"
    chat = client.get(f"/chats/{chat_id}", headers=bearer(account["access_token"])).json()
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant"] * 2


def test_another_users_chat_id_is_refused_and_nothing_is_stored_in_it(
    stack, client, mailbox, account
):
    owner = bearer(account["access_token"])
    chat = client.post("/chats/", headers=owner, json={"title": "mine"}).json()
    stranger = register(client, mailbox)

    with connect(ws_url(stack["url"], stranger["access_token"])) as other:
        send(other, type="message", chat_id=chat["id"], message="price of TCS")
        refused = next_event(other)

    assert refused["type"] == "error" and refused["code"] == "NOT_FOUND"
    assert client.get(f"/chats/{chat['id']}", headers=owner).json()["messages"] == []


def test_a_finished_turn_can_be_replayed_from_the_start(ws):
    send(ws, type="message", message="price of TCS")
    original = receive_until(ws, is_end)

    send(ws, type="resume", turn_id=original[0]["turn_id"], after=0)
    replay = receive_until(ws, is_end)

    assert replay == original[1:]


def test_someone_elses_turn_cannot_be_resumed_or_cancelled(stack, ws, client, mailbox):
    send(ws, type="message", message="price of TCS")
    turn_id = receive_until(ws, is_end)[0]["turn_id"]
    stranger = register(client, mailbox)

    with connect(ws_url(stack["url"], stranger["access_token"])) as other:
        send(other, type="resume", turn_id=turn_id, after=0)
        resumed = next_event(other)
        send(other, type="cancel", turn_id=turn_id)
        cancelled = next_event(other)

    assert resumed["type"] == "error" and resumed["code"] == "NOT_FOUND"
    assert cancelled["type"] == "error" and cancelled["code"] == "NOT_FOUND"


def test_a_deactivated_user_is_told_and_disconnected(ws, account):
    sql("UPDATE users SET is_active = false WHERE id = :id", id=account["user"]["id"])

    send(ws, type="message", message="price of TCS")
    refusal = next_event(ws)

    assert refusal["type"] == "error" and refusal["code"] == "UNAUTHORIZED"
    with pytest.raises(ConnectionClosed) as closed:
        next_event(ws)
    assert closed.value.rcvd.code == CLOSE_UNAUTHORIZED


def _refused_and_closed(ws) -> dict:
    send(ws, type="message", message="price of TCS")
    refusal = next_event(ws)
    with pytest.raises(ConnectionClosed) as closed:
        next_event(ws)
    assert closed.value.rcvd.code == CLOSE_UNAUTHORIZED
    return refusal


def test_signing_out_refuses_the_next_prompt_and_closes_the_socket(ws, client, account):
    signed_out = client.post(
        "/auth/logout",
        json={"refresh_token": account["refresh_token"]},
        headers=bearer(account["access_token"]),
    )

    refusal = _refused_and_closed(ws)

    assert signed_out.status_code == 200
    assert (refusal["type"], refusal["code"]) == ("error", "UNAUTHORIZED")
    assert "signed out" in refusal["message"]


def test_a_purged_sign_in_refuses_the_next_prompt(ws, account):
    sql(
        "DELETE FROM refresh_token_families WHERE user_id = :id",
        id=account["user"]["id"],
    )

    refusal = _refused_and_closed(ws)

    assert refusal["code"] == "UNAUTHORIZED" and "signed out" in refusal["message"]


def test_tokens_revoked_after_they_were_issued_refuse_the_next_prompt(ws, account):
    sql(
        "UPDATE users SET tokens_valid_after = now() + interval '1 minute' WHERE id = :id",
        id=account["user"]["id"],
    )

    refusal = _refused_and_closed(ws)

    assert refusal["code"] == "UNAUTHORIZED" and "revoked" in refusal["message"]


@contextlib.contextmanager
def _chat_switched_off():
    """Chat off (as an admin's stop leaves it) for the block, then on again."""
    import asyncio

    from redis.asyncio import Redis

    from domain.settings import get_settings
    from domain.system import set_chat_enabled

    async def switch(enabled: bool) -> None:
        redis = Redis.from_url(get_settings().redis.url)
        await set_chat_enabled(redis, enabled, "Back at 6 pm")
        await redis.aclose()

    asyncio.run(switch(False))
    try:
        yield
    finally:
        asyncio.run(switch(True))


def test_when_chat_is_switched_off_new_prompts_are_refused(stack, ws):
    with _chat_switched_off():
        send(ws, type="message", message="price of TCS")
        refusal = next_event(ws)

    assert refusal["code"] == "SYSTEM_DISABLED" and "6 pm" in refusal["message"]


def test_a_signed_out_user_is_told_so_even_while_chat_is_switched_off(ws, client, account):
    client.post(
        "/auth/logout",
        json={"refresh_token": account["refresh_token"]},
        headers=bearer(account["access_token"]),
    )
    with _chat_switched_off():
        refusal = _refused_and_closed(ws)

    assert refusal["code"] == "UNAUTHORIZED" and "signed out" in refusal["message"]
