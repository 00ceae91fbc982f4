"""Errors of the limits slice, and the one place Redis failures are mapped.

KuberaError
├── RateLimited      RATE_LIMITED   429  (carries level, limit, retry_after_s)
└── Unavailable      UNAVAILABLE    503  (Redis is down: prompts are refused)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from domain.errors import KuberaError, Unavailable
from domain.limits.models import LimitLevel

log = logging.getLogger("kubera.limits.errors")


class RateLimited(KuberaError):
    """A prompt was refused. `retry_after_s` is None for per_chat: only a new chat helps."""

    code = "RATE_LIMITED"
    status = 429

    def __init__(
        self, message: str, *, level: LimitLevel, limit: int, retry_after_s: int | None
    ) -> None:
        extra: dict[str, object] = {"level": level.value, "limit": limit}
        # Left out when None, so the HTTP edge sends no `Retry-After: None`.
        if retry_after_s is not None:
            extra["retry_after_s"] = retry_after_s
        super().__init__(message, **extra)
        self.level = level
        self.limit = limit
        self.retry_after_s = retry_after_s


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Turn a Redis failure into `Unavailable`. Limits fail closed: without Redis
    nobody can be counted, and the prompt could not be enqueued anyway."""
    try:
        yield
    except RedisError as exc:
        log.warning("rate limit store unavailable", extra={"action": action, "error": repr(exc)})
        raise Unavailable("Rate limits cannot be checked right now; try again shortly") from exc
