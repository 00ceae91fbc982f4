"""Turns that Dramatiq delivers more than once: a chat worker process killed
mid-turn (its message goes back on the queue and another worker runs the
turn again), a worker that died after storing the answer but before saying
so, and a turn that fails on every try.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from websockets.sync.client import connect

from domain.chat.events import stream_key
from domain.settings import get_settings
from tests.chat.support import FailingModel, QuickModel, of_type, send, text_of
from tests.helpers import is_end, receive_until, sql, ws_url
from tests.llm.gateway import Reply, text_stream, tool_call_frames

ROOT = Path(__file__).resolve().parents[2]
PRICE = "fetch_current_price_data"
ANSWER = ("Infosys last traded ", "at the price shown above.")


def _answers(turn_id: str) -> list[tuple[str, str]]:
    rows = sql(
        "SELECT id, content FROM chat_messages WHERE turn_id = :t AND role = 'assistant'",
        t=turn_id,
    )
    return [(str(answer_id), content) for answer_id, content in rows]


@pytest.fixture
def chat_worker_process(stack, gateway, tmp_path):
    """Start a separate chat worker process (talking to the stand-in model);
    returns a function that kills it, and everything in its process group."""
    env = os.environ | {
        "LLM_BASE_URL": gateway.url,
        "LLM_MODEL": "stand-in/model-v1",
        "dramatiq_worker_timeout": "100",
    }
    command = [sys.executable, "-m", "dramatiq", "workers.actors", "--queues", "chat"]
    command += ["--processes", "1", "--threads", "1"]
    with open(tmp_path / "chat-worker.log", "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )

    def kill() -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    yield kill
    kill()


def test_a_worker_killed_mid_turn_is_replaced_and_the_client_gets_one_whole_answer(
    stack, account, gateway, remote_model, use_model, chat_held, chat_worker_process, monkeypatch
):
    first_try = [
        Reply(frames=tool_call_frames(("call_a", PRICE, {"symbol": "INFY"}))),
        # A few words, then the stream stays open until its reader is gone.
        Reply(frames=text_stream("Infosys is ", "trading at"), hold_after=2),
    ]
    second_try = [
        Reply(frames=tool_call_frames(("call_b", PRICE, {"symbol": "INFY"}))),
        Reply(frames=text_stream(*ANSWER)),
    ]
    gateway.script(*first_try, *second_try)
    use_model(remote_model)  # for the test worker, which runs the second try
    # The test worker takes dead workers' messages back after 2 s, not 15.
    monkeypatch.setattr(stack["broker"], "heartbeat_timeout", 2000)

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        with chat_held():  # only the separate worker can take the turn
            send(ws, type="message", message="How is Infosys doing?")
            before = receive_until(ws, lambda e: e["type"] == "text_chunk")
            chat_worker_process()
        after = receive_until(ws, is_end)

    turn_id = before[0]["turn_id"]
    restart = after[0]
    assert (restart["type"], restart.get("restart")) == ("turn_started", True)
    assert text_of(before) == "Infosys is "
    assert text_of(after) == "".join(ANSWER)
    assert [e["tool_id"] for e in of_type(after, "tool_call_complete")] == ["call_b"]
    seqs = [e["seq"] for e in before + after]
    assert seqs == list(range(len(seqs)))
    complete = after[-1]
    assert complete["type"] == "message_complete"
    assert _answers(turn_id) == [(complete["message_id"], "".join(ANSWER))]
    assert sql("SELECT attempts FROM chat_turns WHERE id = :t", t=turn_id)[0][0] == 2


def test_a_turn_redelivered_after_its_answer_was_stored_announces_that_answer_only(
    stack, account, use_model
):
    from workers.chat import run_turn

    use_model(QuickModel())
    url = ws_url(stack["url"], account["access_token"])
    with connect(url) as ws:
        send(ws, type="message", message="price of ITC")
        events = receive_until(ws, is_end)
    turn_id, complete = events[0]["turn_id"], events[-1]
    # As if the worker died between storing the answer and publishing it.
    client = redis.Redis.from_url(get_settings().redis.url)
    try:
        last_id = client.xrevrange(stream_key(turn_id), count=1)[0][0]
        client.xdel(stream_key(turn_id), last_id)
    finally:
        client.close()

    run_turn.send(turn_id)
    with connect(url) as ws:
        send(ws, type="resume", turn_id=turn_id, after=complete["seq"] - 1)
        again = receive_until(ws, is_end)

    assert [e["type"] for e in again] == ["message_complete"]
    assert again[0]["message_id"] == complete["message_id"]
    assert again[0]["metadata"]["model"] == complete["metadata"]["model"]
    assert len(_answers(turn_id)) == 1


def test_a_turn_that_fails_on_every_try_ends_with_an_internal_error(stack, account, use_model):
    use_model(FailingModel())

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="price of TCS")
        events = receive_until(ws, is_end)

    assert (events[-1]["type"], events[-1]["code"]) == ("error", "INTERNAL")
    turn = sql("SELECT status, attempts FROM chat_turns WHERE id = :t", t=events[0]["turn_id"])
    assert turn == [("failed", 3)]


def test_a_chat_worker_with_every_slot_busy_still_says_it_is_alive(stack):
    from workers.wakeup import WakingRedisBroker

    broker = WakingRedisBroker(url=get_settings().redis.url, namespace=f"t-{uuid.uuid4().hex}")
    consumer = broker.consume("chat", prefetch=1, timeout=100)
    consumer.queued_message_ids.add("a-turn-still-running")  # every slot taken
    consumer._beat_at = 0.0  # and nothing fetched for a long while
    heartbeats = f"{broker.namespace}:__heartbeats__"
    try:
        consumer._wait_for_work()
        seen = broker.client.zscore(heartbeats, broker.broker_id)
    finally:
        broker.client.delete(heartbeats)
        broker.close()

    assert seen is not None  # fresh, so other workers leave its turns alone
