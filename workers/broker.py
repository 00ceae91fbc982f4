"""The one Dramatiq broker, built from settings. Import this before any actor
module: actors bind to the broker that is global when they are declared.

Queues: `chat` (LLM turns), `email` (outgoing mail), `jobs` (scheduled work).
"""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import AsyncIO, CurrentMessage, Retries
from periodiq import PeriodiqMiddleware

from domain.logs import setup_logging
from domain.settings import get_settings
from workers import db
from workers.middleware import CloseResources, Heartbeat, SummaryLog, on_shutdown
from workers.wakeup import WakingRedisBroker

QUEUES = ("chat", "email", "jobs")
# Transient faults retry with exponential backoff between these bounds.
DEFAULT_MIN_BACKOFF_MS = 1_000
DEFAULT_MAX_BACKOFF_MS = 300_000
DEFAULT_MAX_RETRIES = 8


def _use_uvloop() -> None:
    """The actors' event loop (Dramatiq's AsyncIO thread) runs on uvloop, as
    the API's does under uvicorn."""
    import asyncio

    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def build_broker() -> WakingRedisBroker:
    settings = get_settings()
    if not settings.redis.url:
        raise RuntimeError("REDIS_URL is not set (make dev and the tests set it for you)")
    broker = WakingRedisBroker(url=settings.redis.url, namespace="kubera")
    retries = next(m for m in broker.middleware if isinstance(m, Retries))
    retries.max_retries = DEFAULT_MAX_RETRIES
    retries.min_backoff = DEFAULT_MIN_BACKOFF_MS
    retries.max_backoff = DEFAULT_MAX_BACKOFF_MS
    _use_uvloop()
    broker.add_middleware(AsyncIO())
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(SummaryLog(), before=Retries)
    broker.add_middleware(Heartbeat(settings.redis.url, settings.worker.heartbeat_s))
    broker.add_middleware(PeriodiqMiddleware(skip_delay=30))
    broker.add_middleware(CloseResources())
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker


setup_logging(get_settings().app.log_level, get_settings().app.log_json)
broker = build_broker()
on_shutdown(db.dispose)
dramatiq.set_broker(broker)
