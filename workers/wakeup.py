"""A Redis broker whose idle consumers are woken, not left to poll.

Dramatiq's Redis consumer sleeps with a growing back-off (up to
`dramatiq_worker_timeout`) when its queue is empty, so a message sent to an
idle worker waits for the sleep to end: ~370 ms at the median here, or a
quarter of a core per idle worker if the timeout is cut to 5 ms.

Here every enqueue also pushes a token onto the queue's wake list, and an idle
consumer blocks on that list (BLPOP) instead of sleeping. The message is
fetched about a millisecond after it is sent, and an idle worker costs one
BLPOP per timeout. Delay queues keep Dramatiq's polling: their messages become
ready with time, not with an enqueue.

A worker that dies leaves its fetched messages unacknowledged; a live broker
puts them back once the dead one's heartbeat is older than the heartbeat
timeout. Dramatiq looks for them on a random 0.1% of commands and heart-beats
only when it fetches, so an idle waking consumer would look every few minutes
and a busy one (every prefetch slot taken) would look dead. Here each
consumer looks every `MAINTENANCE_INTERVAL_S`, and a busy one still
heart-beats, so a chat turn whose worker was killed runs again within about
the heartbeat timeout.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import current_millis
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import NoScriptError

WAKE_KEY = "{namespace}:{queue}.wake"
# Tokens beyond this are dropped: a burst needs no more wake-ups than consumers.
MAX_WAKE_TOKENS = 64
# One BLPOP blocks at most this long: under redis-py's 5 s default socket timeout.
MAX_BLOCK_MS = 4000
# The longest a delay-queue consumer sleeps between looks.
DELAY_POLL_MAX_MS = 1000
# With every prefetch slot taken, wait this long for an ack before looking again.
BUSY_PAUSE_S = 0.01
# A broker silent this long is taken for dead (Dramatiq's default is 60 s).
DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000
# How often each consumer puts dead brokers' messages back on its queue.
MAINTENANCE_INTERVAL_S = 2.0
# How often a busy consumer, which fetches nothing, says its broker lives.
BUSY_HEARTBEAT_INTERVAL_S = 1.0


class WakingRedisBroker(RedisBroker):
    def __init__(self, *args, heartbeat_timeout: int = DEFAULT_HEARTBEAT_TIMEOUT_MS, **kwargs):
        super().__init__(*args, heartbeat_timeout=heartbeat_timeout, **kwargs)
        self._maintained_at: dict[str, float] = {}
        self._local = threading.local()  # each consumer fetches on its own thread

    def do_fetch(self, queue_name: str, prefetch: int) -> list:
        now = time.monotonic()
        due = now - self._maintained_at.get(queue_name, 0.0) >= MAINTENANCE_INTERVAL_S
        if due:
            self._maintained_at[queue_name] = now
        self._local.maintain = due
        try:
            return self._dispatch("fetch")(queue_name, prefetch)
        finally:
            self._local.maintain = False

    def _should_do_maintenance(self, command: str) -> int:
        if getattr(self._local, "maintain", False):
            return 1
        return super()._should_do_maintenance(command)

    def wake_key(self, queue_name: str) -> str:
        return WAKE_KEY.format(namespace=self.namespace, queue=queue_name)

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        enqueued = super().enqueue(message, delay=delay)
        if delay is None:
            pipe = self.client.pipeline(transaction=False)
            self._push_wake(pipe, message.queue_name)
            pipe.execute()
        return enqueued

    def _push_wake(self, pipe, queue_name: str) -> None:
        """Queue on `pipe` (sync or async) a wake-up token for the queue's idle consumers."""
        key = self.wake_key(queue_name)
        pipe.lpush(key, 1)
        pipe.ltrim(key, 0, MAX_WAKE_TOKENS - 1)

    async def enqueue_async(self, client: AsyncRedis, message: Message) -> Message:
        """`enqueue` for a caller on an event loop, through its own async
        client: the message and its wake-up token in one round trip, with
        no hop to a thread. Dramatiq's script stores the message as it does
        for `enqueue`; a Redis that lost its scripts (a restart) is sent it
        again. No delay: delayed messages go through `enqueue`.
        """
        message = message.copy(options={"redis_message_id": str(uuid.uuid4())})
        self.emit_before("enqueue", message, None)
        dispatch = self.scripts["dispatch"]
        if type(self)._max_unpack_size_val is None:  # asks Redis, once per process
            await asyncio.to_thread(self._max_unpack_size)
        args = [
            *("enqueue", current_millis(), message.queue_name, self.broker_id),
            *(self.heartbeat_timeout, self.dead_message_ttl, 0, self._max_unpack_size()),
            *(message.options["redis_message_id"], message.encode()),
        ]
        for attempt in (1, 2):
            pipe = client.pipeline(transaction=False)
            pipe.evalsha(dispatch.sha, 1, self.namespace, *args)
            self._push_wake(pipe, message.queue_name)
            try:
                await pipe.execute()
                break
            except NoScriptError:
                if attempt == 2:
                    raise
                # The message was not stored (its token woke a consumer for nothing).
                await client.script_load(dispatch.script)
        self.emit_after("enqueue", message, None)
        return message

    def close(self) -> None:
        super().close()
        # The pool was made from the URL, so closing the client leaves it open.
        self.client.connection_pool.disconnect()

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000):
        if queue_name.endswith(".DQ"):
            # Delayed messages ripen with time; poll, but at least once a second.
            return super().consume(queue_name, prefetch, min(timeout, DELAY_POLL_MAX_MS))
        return _WakingConsumer(self, queue_name, prefetch, timeout)


class _WakingConsumer(_RedisConsumer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._beat_at = time.monotonic()

    def __next__(self) -> MessageProxy | None:
        try:
            if not self.message_cache:
                self._fetch()
            while self.message_cache:
                data = self.message_cache.pop(0)
                if data is None:  # a hole Dramatiq's fetch can leave; skip it
                    continue
                message = Message.decode(data)
                self.queued_message_ids.add(message.message_id)
                return MessageProxy(message)
            self._wait_for_work()
            return None
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None

    def _fetch(self) -> None:
        room = self.prefetch - self.outstanding_message_count
        if room > 0:
            self.message_cache = self.broker.do_fetch(self.queue_name, room)
            self._beat_at = time.monotonic()

    def _wait_for_work(self) -> None:
        if self.outstanding_message_count >= self.prefetch:
            if time.monotonic() - self._beat_at >= BUSY_HEARTBEAT_INTERVAL_S:
                self.broker.do_fetch(self.queue_name, 0)  # takes nothing; a heartbeat
                self._beat_at = time.monotonic()
            time.sleep(BUSY_PAUSE_S)  # busy, not idle: tokens are for idle consumers
            return
        # Returns when a message is sent to this queue, or after the idle timeout
        # (Dramatiq's worker loop needs control back now and then to stop cleanly).
        block_ms = min(max(self.timeout, 10), MAX_BLOCK_MS)
        self.broker.client.blpop([self.broker.wake_key(self.queue_name)], timeout=block_ms / 1000)
