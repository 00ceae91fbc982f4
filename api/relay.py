"""One relay per API process: it reads every turn stream its sockets care
about with a single blocking XREAD and hands events to those sockets.

No socket holds a Redis connection. A socket that subscribes late first gets
the stream's backlog (so events published before it arrived are not lost),
then live events; stream ids keep the two from overlapping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.chat.events import decode, is_final, stream_key

log = logging.getLogger("kubera.api.relay")

# The longest one XREAD blocks (under redis-py's 5 s socket timeout); new
# subscriptions wake it sooner.
BLOCK_MS = 2000
# Pause after a Redis error before reading again.
RETRY_DELAY_S = 0.5


def _id_key(stream_id: bytes | str) -> tuple[int, int]:
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


@dataclass(eq=False)
class Subscription:
    turn_id: str
    after_seq: int
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)  # the socket's outbox
    last_id: tuple[int, int] = (0, 0)
    done: bool = False

    def offer(self, stream_id: bytes, event: dict[str, Any]) -> None:
        key = _id_key(stream_id)
        if self.done or key <= self.last_id:
            return
        self.last_id = key
        if event.get("seq", 0) > self.after_seq:
            self.queue.put_nowait(event)
        if is_final(event):
            self.done = True


class Relay:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.wake_key = f"kubera:relay:{uuid.uuid4().hex}:wake"
        self._subs: dict[str, set[Subscription]] = {}
        self._positions: dict[str, bytes] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kubera-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await self._task
        with contextlib.suppress(RedisError):
            await self.redis.delete(self.wake_key)

    async def subscribe(
        self, turn_id: str, after_seq: int = 0, queue: asyncio.Queue | None = None
    ) -> Subscription:
        """Start delivering `turn_id`'s events with seq > `after_seq` to `queue`."""
        sub = Subscription(turn_id, after_seq, queue if queue is not None else asyncio.Queue())
        key = stream_key(turn_id)
        for stream_id, fields in await self.redis.xrange(key):
            sub.offer(stream_id, decode(fields))
        if not sub.done:
            self._subs.setdefault(turn_id, set()).add(sub)
            self._positions.setdefault(turn_id, b"%d-%d" % sub.last_id)
            await self._wake()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.turn_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.turn_id]
                self._positions.pop(sub.turn_id, None)

    async def _wake(self) -> None:
        await self.redis.xadd(self.wake_key, {"w": "1"}, maxlen=10, approximate=True)

    async def _run(self) -> None:
        # The wake stream is this relay's own and starts empty: reading it from
        # the start (not "$") cannot miss a wake-up sent before the first read.
        wake_position = b"0-0"
        while True:
            streams = {self.wake_key: wake_position}
            streams |= {stream_key(t): p for t, p in self._positions.items()}
            try:
                replies = await self.redis.xread(streams, block=BLOCK_MS)
            except RedisError:
                log.warning("relay read failed; retrying")
                await asyncio.sleep(RETRY_DELAY_S)
                continue
            for key, entries in replies or []:
                key = key.decode() if isinstance(key, bytes) else key
                if key == self.wake_key:
                    wake_position = entries[-1][0]
                    continue
                self._dispatch(key.split(":")[2], entries)

    def _dispatch(self, turn_id: str, entries: list) -> None:
        if turn_id not in self._positions:
            return
        self._positions[turn_id] = entries[-1][0]
        for sub in list(self._subs.get(turn_id, ())):
            for stream_id, fields in entries:
                sub.offer(stream_id, decode(fields))
            if sub.done:
                self.unsubscribe(sub)
