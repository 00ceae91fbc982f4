"""The `chat_turn` benchmark: times from a client's `message` to `turn_started`,
to the first `text_chunk` and to `message_complete`, through the whole stack
(scripts.bench_stack), at 1, 50 and 200 concurrent conversations.

Two ways of arriving, one line each:

- `burst`: all of a round's conversations send a prompt at the same instant,
  then the round settles; the worst case for a queue, not a way people chat.
- `paced`: every conversation sends a prompt, reads the answer, pauses for a
  random think time (exponential, `THINK_MEAN_S` on average) and sends the
  next: many users chatting at once. (At 1 conversation, a burst round is
  one prompt sent a pause after the last answer.)

Beside each line, in the same run and with the same arrivals (the same pauses,
the same think times), the same model loop (`TurnRunner`'s, with the worker's
shared HTTP pool, on uvloop as the worker's) runs in this process against the
same stand-in model: the architecture's overhead is the difference between
the two at each percentile. The loop run back to back, with no pause at all
(hot caches: faster than any paced turn), is reported too. A Redis PING is
the floor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

# Conversations at once, how they arrive, and how many turns each sends.
PLAN = [(1, "burst", 40), (50, "burst", 4), (50, "paced", 4), (200, "burst", 2), (200, "paced", 2)]
THINK_MEAN_S = 2.0
# A burst round: everyone reaches the start line, then the last turn's
# worker-side work settles before the next round.
START_PAUSE_S = 0.01
SETTLE_S = 0.1
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


def _think_times(n: int, turns: int, seed: int) -> list[list[float]]:
    """Each conversation's pauses before its turns; the same for both runs."""
    rng = random.Random(seed)
    return [[rng.expovariate(1 / THINK_MEAN_S) for _ in range(turns)] for _ in range(n)]


async def _in_process_burst(model, tools, n: int, rounds: int) -> list[dict[str, float]]:
    marks = []
    for _ in range(rounds):
        await asyncio.sleep(START_PAUSE_S)
        marks += await asyncio.gather(*(_in_process_turn(model, tools) for _ in range(n)))
        await asyncio.sleep(SETTLE_S)
    return marks


async def _in_process_paced(model, tools, pauses: list[list[float]]) -> list[dict[str, float]]:
    async def conversation(own: list[float]) -> list[dict[str, float]]:
        marks = []
        for pause in own:
            await asyncio.sleep(pause)
            marks.append(await _in_process_turn(model, tools))
        return marks

    return [m for marks in await asyncio.gather(*map(conversation, pauses)) for m in marks]


async def _back_to_back(model, tools, turns: int) -> list[dict[str, float]]:
    return [await _in_process_turn(model, tools) for _ in range(turns)]


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


async def _turn(ws) -> dict[str, float] | str:
    """The times of one turn's events, or what went wrong instead."""
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


def _tally(results: list, good: list[dict], errors: Counter) -> None:
    for result in results:
        if isinstance(result, dict):
            good.append(result)
        else:
            errors[result if isinstance(result, str) else type(result).__name__] += 1


@contextlib.asynccontextmanager
async def _sockets(url: str, n: int):
    from websockets.asyncio.client import connect

    sockets = await asyncio.gather(*(connect(url, open_timeout=60) for _ in range(n)))
    try:
        yield sockets
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def _at(go: asyncio.Event, ws) -> dict[str, float] | str:
    await go.wait()
    return await _turn(ws)


async def _stack_burst(url: str, n: int, rounds: int) -> tuple[list[dict], Counter]:
    """`rounds` times, `n` open sockets each send a prompt at the same instant."""
    good, errors = [], Counter()
    async with _sockets(url, n) as sockets:
        for _ in range(rounds):
            go = asyncio.Event()
            tasks = [asyncio.ensure_future(_at(go, ws)) for ws in sockets]
            await asyncio.sleep(START_PAUSE_S)  # every conversation reaches `go`
            go.set()
            _tally(await asyncio.gather(*tasks, return_exceptions=True), good, errors)
            await asyncio.sleep(SETTLE_S)
    return good, errors


async def _stack_paced(url: str, pauses: list[list[float]]) -> tuple[list[dict], Counter]:
    """Each socket: think, send, read the whole answer; again, with its pauses."""
    good, errors = [], Counter()

    async def conversation(ws, own: list[float]) -> list:
        results = []
        for pause in own:
            await asyncio.sleep(pause)
            try:
                results.append(await _turn(ws))
            except Exception as exc:  # one broken turn is counted, not fatal
                results.append(exc)
        return results

    async with _sockets(url, len(pauses)) as sockets:
        pairs = zip(sockets, pauses, strict=True)
        runs = await asyncio.gather(*(conversation(ws, own) for ws, own in pairs))
    for results in runs:
        _tally(results, good, errors)
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


def _line(n: int, arrival: str, stack: list[dict], errors: Counter, local: list[dict]) -> dict:
    def of(marks: list[dict], key: str, q: int) -> float:
        return _pct([m[key] for m in marks], q)

    line = {
        "bench": "chat_turn",
        "concurrency": n,
        "arrival": arrival,
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
    await _stack_burst(stack.ws_url, 1, 3)  # warm-up: worker imports, MCP client, pools
    rtt = await _redis_rtt_ms()
    lines = []
    for seed, (n, arrival, turns) in enumerate(PLAN):
        pauses = _think_times(n, turns, seed)
        async with _in_process_model(stack.llm_url) as (model, tools):
            hot = await _back_to_back(model, tools, 40) if n == 1 else []
            local_cpu = time.process_time()
            if arrival == "burst":
                local = await _in_process_burst(model, tools, n, turns)
            else:
                local = await _in_process_paced(model, tools, pauses)
            local_cpu = time.process_time() - local_cpu
        before, clients_cpu = stack.cpu_s(), time.process_time()
        if arrival == "burst":
            marks, errors = await _stack_burst(stack.ws_url, n, turns)
        else:
            marks, errors = await _stack_paced(stack.ws_url, pauses)
        after, clients_cpu = stack.cpu_s(), time.process_time() - clients_cpu
        line = _line(n, arrival, marks, errors, local)
        if hot:
            line["in_process_back_to_back_first_chunk_p50_ms"] = _pct(
                [m["first_chunk"] for m in hot], 50
            )
        line["redis_rtt_ms"] = rtt
        # Neighbours' load inflates every time here; CPU per turn much less.
        line["machine_load_1m"] = round(os.getloadavg()[0], 2)
        count = n * turns
        # Where the CPU goes: at a burst, the busiest process's share per turn
        # times the turns ahead in its queue is most of the wait. (Paced and
        # one-at-a-time lines include idle processes' own CPU.)
        line["in_process_cpu_ms_per_turn"] = round(local_cpu * 1000 / count, 2)
        line["clients_cpu_ms_per_turn"] = round(clients_cpu * 1000 / count, 2)
        for part, spent in after.items():
            line[f"{part}_cpu_ms_per_turn"] = round((spent - before[part]) * 1000 / count, 2)
        lines.append(line)
    return lines


def run() -> list[dict]:
    import uvloop

    from scripts.bench_stack import running_stack

    with tempfile.TemporaryDirectory() as folder, running_stack(Path(folder)) as stack:
        return uvloop.run(_measure(stack))
