"""A turn's events travel through one Redis stream per turn.

The worker appends; any API process reads. Streams outlive the socket that
asked: a client that reconnects anywhere replays what it missed, for an hour
after the turn ends. Every event carries `turn_id` and `seq` (1, 2, 3, ...).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from redis.asyncio import Redis

STREAM_KEY = "kubera:turn:{turn_id}:events"
# How long a finished turn can be resumed; a running one is kept at least this.
RESUME_WINDOW_S = 3600
# A stream whose worker vanished is dropped after this, finished or not.
STREAM_MAX_AGE_S = 6 * 3600
FINAL_TYPES = frozenset({"message_complete", "error"})


def stream_key(turn_id: uuid.UUID | str) -> str:
    return STREAM_KEY.format(turn_id=turn_id)


def decode(fields: dict[bytes, bytes]) -> dict[str, Any]:
    return json.loads(fields[b"e"])


def is_final(event: dict[str, Any]) -> bool:
    return event.get("type") in FINAL_TYPES and event.get("final", True)


async def published(redis: Redis, turn_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The events a turn's runs have published so far."""
    return [decode(fields) for _, fields in await redis.xrange(stream_key(turn_id))]


class TurnPublisher:
    """Appends a turn's events with consecutive `seq` numbers.

    Created with `resume()`, it continues after what an earlier (crashed) run
    of the same turn already published, so seq numbers never repeat.
    """

    def __init__(self, redis: Redis, turn_id: uuid.UUID, chat_id: uuid.UUID) -> None:
        self.redis = redis
        self.turn_id = turn_id
        self.chat_id = chat_id
        self.key = stream_key(turn_id)
        self.seq = 0
        # Parallel tool calls publish at once; seq order must be stream order.
        self._lock = asyncio.Lock()
        self._aged = False  # this run has set the stream's time to live

    async def resume(self) -> list[dict[str, Any]]:
        """Load what is already published; returns those events."""
        return self.continue_after(await published(self.redis, self.turn_id))

    def continue_after(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Number this run's events after `events` (read by `published`)."""
        self.seq = max((e["seq"] for e in events), default=0)
        return events

    async def publish(self, event_type: str, **data: Any) -> dict[str, Any]:
        async with self._lock:
            self.seq += 1
            event = {
                "type": event_type,
                "turn_id": str(self.turn_id),
                "chat_id": str(self.chat_id),
                "seq": self.seq,
                **data,
            }
            fields = {"e": json.dumps(event, default=str)}
            final = event_type in FINAL_TYPES
            if self._aged and not final:
                # XADD keeps the time to live this run set with its first event.
                await self.redis.xadd(self.key, fields)
                return event
            pipe = self.redis.pipeline(transaction=True)
            pipe.xadd(self.key, fields)
            pipe.expire(self.key, RESUME_WINDOW_S if final else STREAM_MAX_AGE_S)
            await pipe.execute()
            self._aged = True
        return event
