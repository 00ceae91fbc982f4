"""Counting prompts: one Lua script decides and records in a single atomic step.

Checking in Python and then writing would let two API processes both take the
last slot; inside one script Redis runs nothing else, so exactly the remaining
number of concurrent prompts pass.

The script's contract
---------------------
KEYS  1 burst window, 2 chat counter, 3 hourly window, 4 daily window
      (sorted sets of prompt times in ms; the counter is a plain integer)
ARGV  1 now in ms, or "" to use the Redis server's TIME
      2 a unique token, so prompts in the same millisecond stay distinct
      3-6 limits: burst, per chat (0 = no chat, skip it), hourly, daily
      7-9 window lengths in ms: burst, hourly, daily
      10 TTL of the chat counter in seconds
      11 the chat's stored prompt count, or "" when not looked up
Reply {"ok", 0, daily count after recording}, or
      {level, retry_after_ms, count in that window} without recording anything;
      level is burst | per_chat | hourly | daily, checked in that order, and
      retry_after_ms is -1 for per_chat (the chat never reopens); or
      {"seed", 0, 0} when the chat counter is missing and ARGV 11 is "".

The chat counter outlives its windows (a chat stays closed), but a Redis
restart or a long-idle chat's expiry loses it. The chat's prompts are stored
in PostgreSQL, so a missing counter is rebuilt from their count rather than
restarted at zero: the script asks for the count, the caller reads it and
runs the script again, which sets the counter unless another prompt beat it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from domain.limits import keys
from domain.limits.errors import redis_errors
from domain.limits.models import LimitLevel
from domain.limits.policy import Limits

# Sliding windows, fixed by the product; only the counts are configurable.
WINDOW_MS = {
    LimitLevel.BURST: 60_000,
    LimitLevel.HOURLY: 3_600_000,
    LimitLevel.DAILY: 86_400_000,
}
# A chat's counter lives this long after its last prompt (then it is rebuilt
# from the stored messages, see above).
DEFAULT_CHAT_COUNTER_TTL_S = 90 * 86_400

ADMIT_SCRIPT = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function trim(key, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - span))
  return redis.call('ZCARD', key)
end

-- Room opens when the entry at (count - limit), oldest first, leaves the window;
-- with count == limit that is the oldest one.
local function wait_ms(key, count, limit, span)
  local nth = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return tonumber(nth[2]) + span - now
end

local burst_max, chat_max = tonumber(ARGV[3]), tonumber(ARGV[4])
local hour_max, day_max = tonumber(ARGV[5]), tonumber(ARGV[6])
local burst_ms, hour_ms, day_ms = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])

local burst = trim(KEYS[1], burst_ms)
if burst >= burst_max then
  return {'burst', wait_ms(KEYS[1], burst, burst_max, burst_ms), burst}
end
if chat_max > 0 then
  local stored = redis.call('GET', KEYS[2])
  if not stored then
    if ARGV[11] == '' then return {'seed', 0, 0} end
    stored = ARGV[11]
    redis.call('SET', KEYS[2], stored, 'EX', ARGV[10])
  end
  local chats = tonumber(stored)
  if chats >= chat_max then return {'per_chat', -1, chats} end
end
local hourly = trim(KEYS[3], hour_ms)
if hourly >= hour_max then
  return {'hourly', wait_ms(KEYS[3], hourly, hour_max, hour_ms), hourly}
end
local daily = trim(KEYS[4], day_ms)
if daily >= day_max then
  return {'daily', wait_ms(KEYS[4], daily, day_max, day_ms), daily}
end

local score = string.format('%d', now)
local member = score .. ':' .. ARGV[2]
for i, span in pairs({[1] = burst_ms, [3] = hour_ms, [4] = day_ms}) do
  redis.call('ZADD', KEYS[i], score, member)
  redis.call('PEXPIRE', KEYS[i], span)
end
if chat_max > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ARGV[10])
end
return {'ok', 0, daily + 1}
"""


@dataclass(frozen=True)
class Decision:
    """`level` is None when the prompt was admitted (and counted)."""

    level: LimitLevel | None
    count: int
    retry_after_s: int | None = None

    @property
    def admitted(self) -> bool:
        return self.level is None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decision(reply: list) -> Decision:
    status, wait_ms, count = reply
    status = _text(status)
    if status == "ok":
        return Decision(None, int(count))
    # Rounded up, so a client that waits exactly this long is let in.
    retry_after_s = None if wait_ms < 0 else max(1, math.ceil(wait_ms / 1000))
    return Decision(LimitLevel(status), int(count), retry_after_s)


async def _no_stored_prompts() -> int:
    return 0


async def admit(
    redis: Redis,
    user_id: uuid.UUID,
    chat_id: uuid.UUID | None,
    limits: Limits,
    *,
    now_ms: int | None = None,
    stored_prompts: Callable[[], Awaitable[int]] = _no_stored_prompts,
    new_chat: bool = False,
) -> Decision:
    """Refuse the prompt at the first limit it breaks, or record it in every window.

    `now_ms` is for tests; by default the Redis server's clock is used, so API
    processes on different hosts share one clock. With no `chat_id` the per-chat
    level is skipped. `stored_prompts` counts the chat's stored prompts; it is
    called only when Redis has no counter for the chat, and not at all for a
    `new_chat` (created for this prompt, so it holds none).
    """
    # Registering only hashes the text; EVALSHA falls back to loading it once.
    script = redis.register_script(ADMIT_SCRIPT)
    script_keys = [
        keys.window(user_id, LimitLevel.BURST),
        keys.chat(user_id, chat_id),
        keys.window(user_id, LimitLevel.HOURLY),
        keys.window(user_id, LimitLevel.DAILY),
    ]
    args = [
        "" if now_ms is None else int(now_ms),
        uuid.uuid4().hex,
        limits.burst_per_minute,
        limits.per_chat if chat_id is not None else 0,
        limits.per_hour,
        limits.per_day,
        WINDOW_MS[LimitLevel.BURST],
        WINDOW_MS[LimitLevel.HOURLY],
        WINDOW_MS[LimitLevel.DAILY],
        DEFAULT_CHAT_COUNTER_TTL_S,
    ]
    with redis_errors("count prompt"):
        reply = await script(keys=script_keys, args=[*args, 0 if new_chat else ""])
    if _text(reply[0]) == "seed":
        seed = await stored_prompts()
        with redis_errors("count prompt"):
            reply = await script(keys=script_keys, args=[*args, seed])
    return _decision(reply)
