"""Idle consumers are woken by a send instead of sleeping out a poll interval."""

from __future__ import annotations

import queue
import time
import uuid

import dramatiq

from domain.settings import get_settings
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
