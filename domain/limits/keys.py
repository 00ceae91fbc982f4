"""Where the limits slice keeps things in Redis.

Every per-user key carries the hash tag ``{<user id>}``, so the one script that
touches a user's windows and chat counter also runs on Redis Cluster.
"""

from __future__ import annotations

import uuid

from domain.limits.models import LimitLevel

PREFIX = "kubera:limits"
# Changes whenever an admin changes a limit; cache entries stamped otherwise are stale.
VERSION = f"{PREFIX}:version"


def cache(user_id: uuid.UUID) -> str:
    return f"{PREFIX}:cache:{user_id}"


def window(user_id: uuid.UUID, level: LimitLevel) -> str:
    """Sorted set of the prompt times (ms) inside one sliding window."""
    return f"{PREFIX}:{{{user_id}}}:{level.value}"


def chat(user_id: uuid.UUID, chat_id: uuid.UUID | None) -> str:
    """Prompt counter of one chat; "-" stands for no chat (never read or written)."""
    return f"{PREFIX}:{{{user_id}}}:chat:{chat_id or '-'}"


def is_chat(key: str) -> bool:
    return ":chat:" in key


def notice(user_id: uuid.UUID, level: LimitLevel) -> str:
    """Present while the limit email for this level has been sent in this window."""
    return f"{PREFIX}:{{{user_id}}}:notified:{level.value}"


def user_pattern(user_id: uuid.UUID) -> str:
    """SCAN pattern for all of the above except the cache entry."""
    return f"{PREFIX}:{{{user_id}}}:*"
