"""Turns driven by other models: a remote OpenAI-compatible gateway (a local
stand-in), a slow model that is cancelled, and prompts over the rate limit.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from domain.llm.base import Finished, TextDelta
from tests.helpers import bearer, is_end, receive_until, register, ws_url
from tests.llm.gateway import DONE, Gateway, Reply, chunk, serve, text_stream


@pytest.fixture
def account(client, mailbox):
    return register(client, mailbox)


@pytest.fixture
def use_model(stack, monkeypatch):
    """Swap the chat worker's model for this test."""
    from workers import db
    from workers.chat import _Process

    db.run(_Process.get())

    def install(model) -> None:
        monkeypatch.setattr(_Process, "model", model)

    return install


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    stand_in = Gateway()
    server, thread = serve(stand_in)
    yield stand_in
    server.should_exit = True
    thread.join(timeout=10)


def _tool_call_reply(name: str, arguments: dict) -> Reply:
    call = {
        "index": 0,
        "id": "call_q1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }
    return Reply(
        frames=[
            chunk({"role": "assistant", "tool_calls": [call]}),
            chunk(finish_reason="tool_calls"),
            chunk(usage={"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132}),
            DONE,
        ]
    )


def test_a_remote_model_calls_tools_and_streams_its_answer(stack, account, gateway, use_model):
    from domain.llm.openai_compat import OpenAICompatModel
    from domain.settings import LlmSettings

    gateway.script(
        _tool_call_reply("fetch_current_price_data", {"symbol": "INFY"}),
        Reply(
            frames=text_stream(
                "Here is the latest quote ", "for Infosys. ", "Its fair value is 12,345.67."
            )
        ),
    )
    use_model(
        OpenAICompatModel(
            LlmSettings(base_url=gateway.url, model="stand-in/model-v1", api_key="test-key"),
            backoff_s=0.01,
        )
    )

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        ws.send(json.dumps({"type": "message", "message": "How is Infosys doing?"}))
        events = receive_until(ws, is_end)

    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
    assert by_type["tool_call_start"][0]["tool_name"] == "fetch_current_price_data"
    assert by_type["tool_call_complete"][0]["result"]["source"] == "demo"
    text = "".join(e["content"] for e in by_type["text_chunk"])
    assert text == "Here is the latest quote for Infosys. Its fair value is 12,345.67."
    meta = by_type["message_complete"][0]["metadata"]
    assert meta["model"] == "stand-in/model-v1"
    assert meta["tokens_used"] >= 132
    assert meta["unverified_numbers"] == ["12,345.67"]
    second_request = gateway.requests[1].body
    tool_message = next(m for m in second_request["messages"] if m["role"] == "tool")
    assert tool_message["tool_call_id"] == "call_q1"
    assert json.loads(tool_message["content"])["source"] == "demo"


class _SlowModel:
    """Writes a first sentence, then waits for the test's go-ahead."""

    name = "slow-test-model"

    def __init__(self) -> None:
        self.go_on = threading.Event()

    async def stream(self, messages, tools):
        yield TextDelta("The first part of a long answer.")
        await asyncio.to_thread(self.go_on.wait, 30)
        yield TextDelta(" The second part, which nobody asked to see.")
        yield Finished(self.name)


def _wait_for_key(key: str, limit_s: float = 20.0) -> None:
    import redis

    from domain.settings import get_settings

    client = redis.Redis.from_url(get_settings().redis.url)
    deadline = time.monotonic() + limit_s
    try:
        while not client.exists(key):  # the API sets it when it handles cancel
            assert time.monotonic() < deadline, f"{key} never appeared"
            time.sleep(0.01)
    finally:
        client.close()


def test_cancel_stops_the_answer_and_keeps_the_part_already_written(
    stack, client, account, use_model
):
    from domain.chat.events import cancel_key

    model = _SlowModel()
    use_model(model)

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        ws.send(json.dumps({"type": "message", "message": "Write a long essay"}))
        first = receive_until(ws, lambda e: e["type"] == "text_chunk")
        turn_id = first[0]["turn_id"]
        ws.send(json.dumps({"type": "cancel", "turn_id": turn_id}))
        _wait_for_key(cancel_key(turn_id))
        model.go_on.set()
        rest = receive_until(ws, is_end)

    complete = rest[-1]
    assert complete["type"] == "message_complete"
    assert complete["metadata"]["status"] == "cancelled"
    chat = client.get(
        f"/chats/{first[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    answer = chat["messages"][1]
    assert answer["status"] == "cancelled"
    assert answer["content"] == "The first part of a long answer."


def test_prompts_over_the_burst_limit_are_refused_with_level_and_retry_time(stack, account):
    import uuid

    from redis.asyncio import Redis

    from domain.db.session import make_engine, make_sessionmaker
    from domain.limits.policy import Override, set_user_override
    from domain.settings import get_settings

    async def limit_burst_to_one() -> None:
        settings = get_settings()
        engine = make_engine(settings.database)
        redis = Redis.from_url(settings.redis.url)
        try:
            async with make_sessionmaker(engine)() as session:
                await set_user_override(
                    session, redis, uuid.UUID(account["user"]["id"]), Override(burst_per_minute=1)
                )
        finally:
            await redis.aclose()
            await engine.dispose()

    asyncio.run(limit_burst_to_one())
    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        ws.send(json.dumps({"type": "message", "message": "price of TCS"}))
        receive_until(ws, is_end)
        ws.send(json.dumps({"type": "message", "message": "price of ITC"}))
        refusal = json.loads(ws.recv(timeout=30))

    assert refusal["type"] == "error" and refusal["code"] == "RATE_LIMITED"
    assert refusal["level"] == "burst"
    assert 0 < refusal["retry_after_s"] <= 60
