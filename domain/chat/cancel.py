"""Cancelling a turn: the API asks, whichever worker runs the turn stops.

A request is written twice: a key, which outlives the moment (a turn still
queued, or a worker that was reconnecting, finds it when it looks), and a
pub/sub message, which wakes the running turn at once. Each worker process
holds one subscription for all its turns; a turn neither polls nor asks Redis
per streamed token, and it stops even while the model or a tool is silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

log = logging.getLogger("kubera.chat.cancel")

CANCEL_KEY = "kubera:turn:{turn_id}:cancel"
CANCEL_CHANNEL = "kubera:turn-cancels"
# How long a cancel request is remembered (the resume window of a turn).
DEFAULT_CANCEL_TTL_S = 3600
# Pause after a lost subscription before subscribing again.
RESUBSCRIBE_DELAY_S = 0.5


def cancel_key(turn_id: uuid.UUID | str) -> str:
    return CANCEL_KEY.format(turn_id=turn_id)


async def request_cancel(redis: Redis, turn_id: uuid.UUID | str) -> None:
    pipe = redis.pipeline(transaction=True)
    pipe.set(cancel_key(turn_id), "1", ex=DEFAULT_CANCEL_TTL_S)
    pipe.publish(CANCEL_CHANNEL, str(turn_id))
    await pipe.execute()


class CancelListener:
    """Sets a running turn's stop event when its cancel is requested."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._watched: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        pubsub = await self._subscribe()
        self._task = asyncio.create_task(self._listen(pubsub), name="kubera-cancels")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # redis-py may surface the cancellation as its own TimeoutError.
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await self._task
            self._task = None

    @contextlib.asynccontextmanager
    async def watch(self, turn_id: uuid.UUID | str) -> AsyncIterator[asyncio.Event]:
        """An event set once the turn is cancelled, for the body of the block.

        A request made before the block began is not seen until the caller
        calls `look_up`, in the block (beside other work, as the worker does),
        before anything a cancel must prevent: registered first, then looked
        up, a request in between is not lost.
        """
        key, stop = str(turn_id), asyncio.Event()
        self._watched.setdefault(key, set()).add(stop)
        try:
            yield stop
        finally:
            events = self._watched.get(key, set())
            events.discard(stop)
            if not events:
                self._watched.pop(key, None)

    async def look_up(self, turn_id: uuid.UUID | str) -> None:
        """Stop the turn's watchers if its cancel was requested already."""
        key = str(turn_id)
        try:
            if await self.redis.exists(cancel_key(key)):
                self._stop(key)
        except RedisError:  # live requests still arrive by the subscription
            log.warning("cancel request not looked up", extra={"turn_id": key})

    async def _subscribe(self) -> PubSub:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CANCEL_CHANNEL)
        return pubsub

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    self._stop(message["data"])
            except RedisError:
                log.warning("cancel subscription lost; subscribing again")
            with contextlib.suppress(RedisError):
                await pubsub.aclose()
            await asyncio.sleep(RESUBSCRIBE_DELAY_S)
            with contextlib.suppress(RedisError):
                pubsub = await self._subscribe()
                await self._catch_up()

    def _stop(self, turn_id: bytes | str) -> None:
        key = turn_id.decode() if isinstance(turn_id, bytes) else turn_id
        for stop in self._watched.get(key, ()):
            stop.set()

    async def _catch_up(self) -> None:
        """Requests published while unsubscribed are found by their keys."""
        for key in list(self._watched):
            if await self.redis.exists(cancel_key(key)):
                self._stop(key)
