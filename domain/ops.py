"""What operators see of the running system: queue depths and live workers,
read from Redis (Dramatiq's keys and our heartbeats).
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

QUEUES = ("chat", "email", "jobs")
NAMESPACE = "kubera"


async def queue_depths(client: Redis) -> dict[str, dict[str, int]]:
    """Ready, delayed and dead messages per queue."""
    pipe = client.pipeline(transaction=False)
    for queue in QUEUES:
        pipe.llen(f"{NAMESPACE}:{queue}")
        pipe.llen(f"{NAMESPACE}:{queue}.DQ")
        pipe.zcard(f"{NAMESPACE}:{queue}.XQ")
    counts = await pipe.execute()
    return {
        queue: {"ready": counts[i * 3], "delayed": counts[i * 3 + 1], "dead": counts[i * 3 + 2]}
        for i, queue in enumerate(QUEUES)
    }


async def live_workers(client: Redis) -> list[dict[str, Any]]:
    workers = []
    async for key in client.scan_iter(match="kubera:workers:*", count=100):
        raw = await client.get(key)
        if raw:
            beat = json.loads(raw)
            beat["seen_s_ago"] = round(time.time() - beat.get("seen_at", 0), 1)
            workers.append(beat)
    return sorted(workers, key=lambda w: w["worker"])


def workers_by_queue(workers: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(QUEUES, 0)
    for worker in workers:
        for queue in worker.get("queues", []):
            if queue in counts:
                counts[queue] += 1
    return counts
