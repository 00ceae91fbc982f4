"""The operators' switch for chat: when off, new prompts are refused with
SYSTEM_DISABLED (running turns finish). Every process reads the same Redis key.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis

from domain.errors import KuberaError

SYSTEM_KEY = "kubera:system:chat"


class SystemDisabled(KuberaError):
    code = "SYSTEM_DISABLED"
    status = 503


async def chat_state(redis: Redis) -> dict:
    raw = await redis.get(SYSTEM_KEY)
    return json.loads(raw) if raw else {"enabled": True, "message": None}


async def ensure_chat_enabled(redis: Redis) -> None:
    state = await chat_state(redis)
    if not state.get("enabled", True):
        raise SystemDisabled(
            state.get("message") or "Chat is paused by the operators; try again later"
        )


async def set_chat_enabled(redis: Redis, enabled: bool, message: str | None = None) -> None:
    await redis.set(SYSTEM_KEY, json.dumps({"enabled": enabled, "message": message}))
