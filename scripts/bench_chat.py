"""The `chat_turn` benchmark: times from a client's `message` to `turn_started`,
to the first `text_chunk` and to `message_complete`, through the whole stack
(scripts.bench_stack), at 1, 50 and 200 concurrent conversations.

Beside each round, in the same run and at the same concurrency, the same model
loop (`TurnRunner`'s, with the worker's shared HTTP pool) runs in this process
against the same stand-in model: the architecture's overhead is the difference
between the two at each percentile. A Redis PING is the floor.

A round opens all its sockets first, then every conversation sends one prompt
at the same instant: the worst case for a queue, not a paced arrival.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

# Conversations at once, and how many rounds of them (samples = product).
ROUNDS = {1: 40, 50: 4, 200: 2}
RECV_TIMEOUT_S = 120


def _pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return round(samples[0], 2) if samples else 0.0
    return round(statistics.quantiles(samples, n=100, method="inclusive")[q - 1], 2)


class _Marks:
    """A stand-in for TurnPublisher: notes when the first chunk would go out."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first_chunk: float | None = None

    async def publish(self, event_type: str, **data: Any) -> None:
        if event_type == "text_chunk" and self.first_chunk is None:
            self.first_chunk = (time.perf_counter() - self.started) * 1000


class _OfferedTools:
    """The worker's tool list (all 45 schemas go into each request); never called."""

    def __init__(self, specs: list) -> None:
        self._specs = specs

    @classmethod
    async def load(cls) -> _OfferedTools:
        from fastmcp import Client

        from domain.llm.base import ToolSpec
        from mcp_servers.combined import server

        async with Client(server) as client:
            listed = await client.list_tools()
        return cls([ToolSpec(t.name, t.description or "", t.input_schema) for t in listed])

    def specs(self) -> list:
        return list(self._specs)


async def _in_process_turn(model, tools: _OfferedTools) -> dict[str, float]:
    from domain.chat.history import SYSTEM_PROMPT
    from domain.chat.pacing import Chunker
    from domain.chat.turn import TurnRunner
    from domain.llm.base import ChatMessage

    prompt = [
        ChatMessage("system", SYSTEM_PROMPT.format(today=date.today())),
        ChatMessage("user", "Say something"),
    ]
    marks = _Marks()
    runner = TurnRunner(sessions=None, model=model, tools=tools, publisher=marks)
    chunker = Chunker(marks, runner.limits)
    # The loop itself, without load_history and _store: those are database work
    # the stack does on top, and count in its overhead.
    await runner._loop(prompt, chunker)
    await chunker.flush()
    done_ms = (time.perf_counter() - marks.started) * 1000
    return {"first_chunk": marks.first_chunk or done_ms, "complete": done_ms}


async def _in_process_round(model, tools, n: int, rounds: int) -> list[dict[str, float]]:
    marks = []
    for _ in range(rounds):
        marks += await asyncio.gather(*(_in_process_turn(model, tools) for _ in range(n)))
    return marks


@contextlib.asynccontextmanager
async def _in_process_model(llm_url: str):
    """The model as the chat worker builds it (one HTTP pool for the process)
    and the tools it offers, warmed up."""
    import httpx

    from domain.llm.openai_compat import OpenAICompatModel
    from domain.llm.transport import shared_client
    from domain.settings import LlmSettings

    settings = LlmSettings(base_url=llm_url, model="stand-in", api_key="bench")
    tools = await _OfferedTools.load()
    # Logging as in the stack's processes (APP_LOG_LEVEL=WARNING), whatever an
    # earlier benchmark in this process set up.
    kubera_log = logging.getLogger("kubera")
    level = kubera_log.level
    kubera_log.setLevel(logging.WARNING)
    try:
        async with shared_client(httpx.Timeout(settings.timeout_s)) as client:
            model = OpenAICompatModel(settings, client=client)
            await _in_process_turn(model, tools)
            yield model, tools
    finally:
        kubera_log.setLevel(level)


async def _conversation(ws, go: asyncio.Event) -> dict[str, float] | str:
    """The times of one turn's events, or what went wrong instead."""
    await go.wait()
    marks: dict[str, float] = {}
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "message", "message": "Say something"}))
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), RECV_TIMEOUT_S))
        now = (time.perf_counter() - started) * 1000
        kind = event["type"]
        if kind == "turn_started":
            marks["started"] = now
        elif kind == "text_chunk":
            marks.setdefault("first_chunk", now)
        elif kind == "message_complete":
            marks["complete"] = now
            return marks if "first_chunk" in marks else "no text_chunk"
        elif kind == "error":
            return f"error {event.get('code')}"


async def _stack_round(url: str, n: int, rounds: int) -> tuple[list[dict], Counter]:
    """`rounds` times, `n` open sockets each send a prompt at the same instant."""
    from websockets.asyncio.client import connect

    sockets = await asyncio.gather(*(connect(url, open_timeout=60) for _ in range(n)))
    good, errors = [], Counter()
    try:
        for _ in range(rounds):
            go = asyncio.Event()
            tasks = [asyncio.ensure_future(_conversation(ws, go)) for ws in sockets]
            await asyncio.sleep(0.01)  # every conversation reaches `go`
            go.set()
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, dict):
                    good.append(result)
                else:
                    errors[result if isinstance(result, str) else type(result).__name__] += 1
            await asyncio.sleep(0.1)  # the last turn's worker-side work settles
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return good, errors


async def _redis_rtt_ms() -> float:
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"])
    samples = []
    for _ in range(200):
        started = time.perf_counter()
        await redis.ping()
        samples.append((time.perf_counter() - started) * 1000)
    await redis.aclose()
    return round(statistics.median(samples), 3)


def _line(n: int, stack: list[dict], errors: Counter, local: list[dict]) -> dict:
    def of(marks: list[dict], key: str, q: int) -> float:
        return _pct([m[key] for m in marks], q)

    line = {
        "bench": "chat_turn",
        "concurrency": n,
        "samples": len(stack) + errors.total(),
        "errors": errors.total(),
        "turn_started_p50_ms": of(stack, "started", 50),
        "turn_started_p99_ms": of(stack, "started", 99),
        "first_chunk_p50_ms": of(stack, "first_chunk", 50),
        "first_chunk_p99_ms": of(stack, "first_chunk", 99),
        "complete_p50_ms": of(stack, "complete", 50),
        "complete_p99_ms": of(stack, "complete", 99),
        "in_process_first_chunk_p50_ms": of(local, "first_chunk", 50),
        "in_process_first_chunk_p99_ms": of(local, "first_chunk", 99),
        "in_process_complete_p50_ms": of(local, "complete", 50),
    }
    for q in (50, 99):
        overhead = line[f"first_chunk_p{q}_ms"] - line[f"in_process_first_chunk_p{q}_ms"]
        line[f"first_chunk_overhead_p{q}_ms"] = round(overhead, 2)
    if errors:
        line["error_kinds"] = dict(errors)
    return line


async def _measure(stack) -> list[dict]:
    await _stack_round(stack.ws_url, 1, 3)  # warm-up: worker imports, MCP client, pools
    rtt = await _redis_rtt_ms()
    lines = []
    for n, rounds in ROUNDS.items():
        async with _in_process_model(stack.llm_url) as (model, tools):
            local_cpu = time.process_time()
            local = await _in_process_round(model, tools, n, rounds)
            local_cpu = time.process_time() - local_cpu
        before, clients_cpu = stack.cpu_s(), time.process_time()
        marks, errors = await _stack_round(stack.ws_url, n, rounds)
        after, clients_cpu = stack.cpu_s(), time.process_time() - clients_cpu
        line = _line(n, marks, errors, local)
        line["redis_rtt_ms"] = rtt
        # Neighbours' load inflates every time here; CPU per turn much less.
        line["machine_load_1m"] = round(os.getloadavg()[0], 2)
        turns = n * rounds
        # Where the CPU goes: at a burst, the busiest process's share per turn
        # times the turns ahead in its queue is most of the wait.
        line["in_process_cpu_ms_per_turn"] = round(local_cpu * 1000 / turns, 2)
        line["clients_cpu_ms_per_turn"] = round(clients_cpu * 1000 / turns, 2)
        for part, spent in after.items():
            line[f"{part}_cpu_ms_per_turn"] = round((spent - before[part]) * 1000 / turns, 2)
        lines.append(line)
    return lines


def run() -> list[dict]:
    from scripts.bench_stack import running_stack

    with tempfile.TemporaryDirectory() as folder, running_stack(Path(folder)) as stack:
        return asyncio.run(_measure(stack))
