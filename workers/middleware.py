"""Worker middleware: one summary line per finished message, a heartbeat that
`/health` and `/scheduler/status` read to count live workers per queue, and
the closing of per-process resources when a worker shuts down.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable

import redis
from dramatiq import Middleware
from dramatiq.asyncio import get_event_loop_thread

log = logging.getLogger("kubera.workers")

HEARTBEAT_KEY = "kubera:workers:{worker}"
HEARTBEAT_PATTERN = "kubera:workers:*"


class SummaryLog(Middleware):
    """Logs actor, message id, queue wait, run time and outcome of each message.

    Register it before Retries: after-hooks run in reverse order, so it then
    hears of a message after Retries has decided between "retry" and
    "failed" (and has moved `requeue_timestamp` on for the next attempt).
    """

    def __init__(self) -> None:
        self._started: dict[str, tuple[float, float]] = {}

    def before_process_message(self, broker, message) -> None:
        enqueued_s = message.options.get("requeue_timestamp", message.message_timestamp) / 1000
        eta_ms = message.options.get("eta")
        ready_s = max(enqueued_s, eta_ms / 1000) if eta_ms else enqueued_s
        self._started[message.message_id] = (time.time(), ready_s)

    def _finish(self, message, outcome: str) -> None:
        now = time.time()
        started, ready_s = self._started.pop(message.message_id, (now, now))
        log.info(
            "message finished",
            extra={
                "actor": message.actor_name,
                "message_id": message.message_id,
                "queue": message.queue_name,
                "queue_wait_ms": round(max(0.0, started - ready_s) * 1000, 1),
                "run_ms": round((now - started) * 1000, 1),
                "outcome": outcome,
                "retries": message.options.get("retries", 0),
            },
        )

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        if exception is None:
            outcome = "ok"
        elif message.failed:
            outcome = "failed"
        else:
            outcome = "retry"
        self._finish(message, outcome)

    def after_skip_message(self, broker, message) -> None:
        self._finish(message, "skipped")


class Heartbeat(Middleware):
    """A key per worker process, refreshed every `interval_s`, expiring after 3×."""

    def __init__(self, url: str, interval_s: int) -> None:
        self.url = url
        self.interval_s = interval_s
        self._stop = threading.Event()

    def after_worker_boot(self, broker, worker) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        queues = sorted(worker.consumer_whitelist or broker.get_declared_queues())
        thread = threading.Thread(
            target=self._beat, args=(name, queues), daemon=True, name="kubera-heartbeat"
        )
        thread.start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()

    def _beat(self, name: str, queues: list[str]) -> None:
        client = redis.Redis.from_url(self.url)
        key = HEARTBEAT_KEY.format(worker=name)
        started = time.time()
        while not self._stop.is_set():
            value = json.dumps(
                {"worker": name, "queues": queues, "started_at": started, "seen_at": time.time()}
            )
            try:
                client.set(key, value, ex=self.interval_s * 3)
            except redis.RedisError:
                log.warning("heartbeat not written", extra={"worker": name})
            self._stop.wait(self.interval_s)
        client.delete(key)


_closers: list[Callable[[], Awaitable[None]]] = []


def on_shutdown(closer: Callable[[], Awaitable[None]]) -> None:
    """Have `closer` run on the worker's event loop when the worker stops."""
    if closer not in _closers:
        _closers.append(closer)


class CloseResources(Middleware):
    """Runs the `on_shutdown` closers, newest first, while the event loop still
    runs (the AsyncIO middleware stops it after shutdown). A client left open
    there, such as the in-memory MCP session, keeps AnyIO's non-daemon worker
    threads waiting and the process from ever exiting.
    """

    def before_worker_shutdown(self, broker, worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            return
        for closer in reversed(_closers):
            try:
                loop_thread.run_coroutine(closer())
            except Exception as exc:  # one failed close must not keep the rest open
                extra = {"closer": closer.__qualname__, "error": repr(exc)}
                log.warning("resource not closed", extra=extra)
