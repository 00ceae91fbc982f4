"""The chat WebSocket: authentication, the protocol's small messages, errors as
events, and whole turns answered by the offline analyst over the demo market.
"""

from __future__ import annotations

import json
import uuid

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.helpers import bearer, is_end, receive_until, register, sql, ws_url


@pytest.fixture
def account(client, mailbox):
    return register(client, mailbox)


@pytest.fixture
def ws(stack, account):
    with connect(ws_url(stack["url"], account["access_token"])) as socket:
        yield socket


def _send(ws, **message) -> None:
    ws.send(json.dumps(message))


def _next(ws) -> dict:
    return json.loads(ws.recv(timeout=30))


def test_a_socket_with_a_bad_token_is_refused_before_it_opens(stack):
    with pytest.raises(InvalidStatus):
        connect(ws_url(stack["url"], "not-a-token"))


def test_ping_gets_pong(ws):
    _send(ws, type="ping")

    assert _next(ws) == {"type": "pong"}


def test_bad_messages_get_error_events_and_the_socket_stays_open(ws):
    ws.send("{not json")
    unknown_type = _next(ws)
    _send(ws, type="message", message="   ")
    empty = _next(ws)
    _send(ws, type="message", message="hi", chat_id=str(uuid.uuid4()))
    unknown_chat = _next(ws)
    _send(ws, type="resume", turn_id="nope")
    bad_turn = _next(ws)
    _send(ws, type="ping")

    assert unknown_type["type"] == "error" and unknown_type["code"] == "VALIDATION"
    assert empty["code"] == "VALIDATION" and empty["field"] == "message"
    assert unknown_chat["code"] == "NOT_FOUND"
    assert bad_turn["code"] == "VALIDATION"
    assert _next(ws) == {"type": "pong"}


def test_a_prompt_without_a_chat_starts_one_and_streams_a_grounded_answer(ws, client, account):
    _send(ws, type="message", chat_id=None, message="Analyse INFY")
    events = receive_until(ws, is_end)

    started, complete = events[0], events[-1]
    assert started["type"] == "turn_started" and started["chat_id"]
    assert complete["type"] == "message_complete", complete
    seqs = [e["seq"] for e in events[1:]]
    assert seqs == list(range(1, len(seqs) + 1))
    kinds = {e["type"] for e in events}
    assert {"tool_call_start", "tool_call_complete", "text_chunk"} <= kinds
    text = "".join(e["content"] for e in events if e["type"] == "text_chunk")
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


def test_a_client_that_reconnects_resumes_where_it_left_off(stack, account):
    url = ws_url(stack["url"], account["access_token"])
    with connect(url) as first:
        _send(first, type="message", message="Compare INFY and TCS")
        seen = receive_until(first, lambda e: e.get("seq", 0) >= 2)
    turn_id, last_seq = seen[0]["turn_id"], seen[-1]["seq"]

    with connect(url) as second:
        _send(second, type="resume", turn_id=turn_id, after=last_seq)
        rest = receive_until(second, is_end)

    assert [e["seq"] for e in rest] == list(range(last_seq + 1, rest[-1]["seq"] + 1))
    assert rest[-1]["type"] == "message_complete"


def test_a_finished_turn_can_be_replayed_from_the_start(stack, ws, account):
    _send(ws, type="message", message="price of TCS")
    original = receive_until(ws, is_end)

    _send(ws, type="resume", turn_id=original[0]["turn_id"], after=0)
    replay = receive_until(ws, is_end)

    assert replay == original[1:]


def test_someone_elses_turn_cannot_be_resumed(stack, ws, client, mailbox):
    _send(ws, type="message", message="price of TCS")
    turn_id = receive_until(ws, is_end)[0]["turn_id"]
    stranger = register(client, mailbox)

    with connect(ws_url(stack["url"], stranger["access_token"])) as other:
        _send(other, type="resume", turn_id=turn_id, after=0)
        refused = _next(other)

    assert refused["type"] == "error" and refused["code"] == "NOT_FOUND"


def test_a_redelivered_turn_stores_one_answer(stack, ws, drain):
    from workers.chat import run_turn

    _send(ws, type="message", message="price of ITC")
    events = receive_until(ws, is_end)
    turn_id = events[0]["turn_id"]

    run_turn.send(turn_id)
    drain()

    answers = sql(
        "SELECT count(*) FROM chat_messages WHERE turn_id = :t AND role = 'assistant'", t=turn_id
    )
    assert answers[0][0] == 1


def test_a_deactivated_user_is_told_and_disconnected(ws, account):
    sql("UPDATE users SET is_active = false WHERE id = :id", id=account["user"]["id"])

    _send(ws, type="message", message="price of TCS")
    refusal = _next(ws)

    assert refusal["type"] == "error" and refusal["code"] == "UNAUTHORIZED"
    with pytest.raises(Exception):  # noqa: B017 (closed with 4401)
        _next(ws)


def test_when_chat_is_switched_off_new_prompts_are_refused(stack, ws):
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
        _send(ws, type="message", message="price of TCS")
        refusal = _next(ws)
    finally:
        asyncio.run(switch(True))

    assert refusal["code"] == "SYSTEM_DISABLED" and "6 pm" in refusal["message"]
