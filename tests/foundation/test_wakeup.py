"""Idle consumers are woken by a send instead of sleeping out a poll interval,
from a thread or from an event loop."""

from __future__ import annotations

import asyncio
import queue
import time
import uuid

import dramatiq
from redis.asyncio import Redis

from domain.settings import get_settings
from scripts.services import start_valkey
from workers.wakeup import MAX_BLOCK_MS, WakingRedisBroker

# Idle consumers block for MAX_BLOCK_MS between looks; the message must arrive
# well before a look would have found it.
IDLE_TIMEOUT_MS = MAX_BLOCK_MS
WOKEN_WITHIN_S = MAX_BLOCK_MS / 1000 - 1
CLIENT_NAME = "wakeup-test"


def _wait_until_blocked(broker: WakingRedisBroker, limit_s: float = 10.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        clients = broker.client.client_list()
        if any(c.get("cmd") == "blpop" and c.get("name") == CLIENT_NAME for c in clients):
            return
        time.sleep(0.01)
    raise AssertionError("the idle consumer never blocked on its wake list")


def test_a_message_sent_to_a_long_idle_worker_is_run_without_waiting_for_a_poll(stack):
    url = f"{get_settings().redis.url}?client_name={CLIENT_NAME}"
    broker = WakingRedisBroker(url=url, namespace=f"t-{uuid.uuid4().hex}")
    ran: queue.Queue = queue.Queue()

    def note(value: int) -> None:
        ran.put(value)

    actor = dramatiq.actor(note, broker=broker, queue_name="chat", actor_name="note")
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=IDLE_TIMEOUT_MS)
    worker.start()
    try:
        actor.send(1)
        first = ran.get(timeout=10)
        _wait_until_blocked(broker)  # idle: parked on its wake list, not polling
        actor.send(2)
        second = ran.get(timeout=WOKEN_WITHIN_S)
    finally:
        broker.client.lpush(broker.wake_key("chat"), 1)  # let the consumer see the stop
        worker.stop()
        broker.close()

    assert (first, second) == (1, 2)


def test_a_message_sent_from_an_event_loop_is_run_even_by_a_redis_without_our_scripts(tmp_path):
    # A Redis of its own: no other client can load the script first, as any
    # client of a Redis restarted without its data would.
    server, url = start_valkey(tmp_path, persist=False)
    broker = WakingRedisBroker(url=url, namespace="kubera")
    ran: queue.Queue = queue.Queue()

    def note(value: int) -> None:
        ran.put(value)

    actor = dramatiq.actor(note, broker=broker, queue_name="chat", actor_name="note")

    async def send_from_loop() -> None:
        client = Redis.from_url(url)
        try:
            await broker.enqueue_async(client, actor.message(7))
        finally:
            await client.aclose()

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=IDLE_TIMEOUT_MS)
    try:
        asyncio.run(send_from_loop())
        woken = broker.client.llen(broker.wake_key("chat"))
        worker.start()
        value = ran.get(timeout=10)
    finally:
        broker.client.lpush(broker.wake_key("chat"), 1)
        worker.stop()
        broker.close()
        server.stop()

    assert value == 7 and woken >= 1  # and one wake-up token (or two: see enqueue_async)
