"""The `chat_turn` benchmark: the whole stack on this machine (API and chat
worker as their own processes, Redis, PostgreSQL) answering through a local
OpenAI-compatible server that streams at once, at 1, 50 and 200 concurrent
conversations; beside it, the same model called in-process and a Redis PING.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

CONCURRENCY = (1, 50, 200)
WORKER_THREADS = 64
WORDS = ["Kubera ", "streams ", "this ", "answer ", "at ", "once. "] * 4


def _sse(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


async def stand_in(scope, receive, send) -> None:
    """An OpenAI-compatible chat-completions server that answers at once."""
    while (await receive()).get("more_body"):
        pass
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream")],
        }
    )
    frames = [
        _sse({"choices": [{"index": 0, "delta": {"content": w}}], "model": "stand-in"})
        for w in WORDS
    ]
    frames.append(
        _sse(
            {
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 24},
            }
        )
    )
    frames.append(b"data: [DONE]\n\n")
    for frame in frames:
        await send({"type": "http.response.body", "body": frame, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _serve_stand_in(port: int) -> uvicorn.Server:
    server = uvicorn.Server(
        uvicorn.Config(stand_in, port=port, log_level="warning", lifespan="off", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server


def _pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return round(samples[0], 2) if samples else 0.0
    return round(statistics.quantiles(samples, n=100, method="inclusive")[q - 1], 2)


async def _in_process_first_delta(base_url: str, rounds: int = 30) -> list[float]:
    from domain.llm.base import ChatMessage, TextDelta
    from domain.llm.openai_compat import OpenAICompatModel
    from domain.settings import LlmSettings

    model = OpenAICompatModel(LlmSettings(base_url=base_url, model="stand-in", api_key="x"))
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        first = None
        async for event in model.stream([ChatMessage("user", "hi")], []):
            if first is None and isinstance(event, TextDelta):
                first = (time.perf_counter() - started) * 1000
        samples.append(first or 0.0)
    return samples


async def _conversation(url: str) -> dict[str, float] | None:
    from websockets.asyncio.client import connect

    marks: dict[str, float] = {}
    try:
        async with connect(url, open_timeout=60) as ws:
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "message": "Say something"}))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 120))
                now = (time.perf_counter() - started) * 1000
                kind = event["type"]
                if kind == "turn_started":
                    marks["started"] = now
                elif kind == "text_chunk" and "first_chunk" not in marks:
                    marks["first_chunk"] = now
                elif kind == "message_complete":
                    marks["complete"] = now
                    return marks
                elif kind == "error":
                    return None
    except Exception:  # counted as an error in the line
        return None


async def _round(url: str, n: int) -> tuple[list[dict[str, float]], int]:
    results = await asyncio.gather(*(_conversation(url) for _ in range(n)))
    good = [r for r in results if r and "first_chunk" in r]
    return good, n - len(good)


def _register(api: str, mailbox) -> tuple[str, str]:
    from scripts.services import body_text

    client = httpx.Client(base_url=api, timeout=30)
    email = "bench@example.com"
    client.post("/auth/register/step1", json={"email": email})
    code = re.search(r"\b(\d{6})\b", body_text(mailbox.wait_for(email, "code"))).group(1)
    client.post("/auth/register/step2", json={"email": email, "otp": code})
    body = client.post(
        "/auth/register/step3",
        json={"email": email, "username": "bencher", "password": "Bench!Passw0rd"},
    ).json()
    return body["access_token"], body["user"]["id"]


async def _whitelist(user_id: str) -> None:
    import uuid

    from redis.asyncio import Redis

    from domain.db.session import make_engine, make_sessionmaker
    from domain.limits.policy import add_to_whitelist
    from domain.settings import get_settings

    settings = get_settings()
    engine, redis = make_engine(settings.database), Redis.from_url(settings.redis.url)
    try:
        async with make_sessionmaker(engine)() as session:
            await add_to_whitelist(session, redis, uuid.UUID(user_id), reason="benchmark")
    finally:
        await redis.aclose()
        await engine.dispose()


async def _redis_rtt() -> list[float]:
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"])
    samples = []
    for _ in range(200):
        started = time.perf_counter()
        await redis.ping()
        samples.append((time.perf_counter() - started) * 1000)
    await redis.aclose()
    return samples


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def run() -> list[dict]:
    from scripts.bootstrap import migrate, start_missing
    from scripts.services import free_port

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        gateway_port, api_port = free_port(), free_port()
        _serve_stand_in(gateway_port)
        llm_url = f"http://127.0.0.1:{gateway_port}/v1"
        os.environ.update(
            {
                "LLM_BASE_URL": llm_url,
                "LLM_API_KEY": "bench",
                "MARKET_DATA_SOURCE": "demo",
                "APP_LOG_LEVEL": "WARNING",
            }
        )
        embedded = start_missing(Path(folder), persist=False, echo_mail=False)
        procs = []
        try:
            migrate()
            env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
            api_cmd = [
                "-m",
                "uvicorn",
                "--factory",
                "api.app:create_app",
                "--port",
                str(api_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ]
            worker_cmd = [
                "-m",
                "dramatiq",
                "workers.actors",
                "--queues",
                "chat",
                "email",
                "--processes",
                "1",
                "--threads",
                str(WORKER_THREADS),
            ]
            for name, args in (("api", api_cmd), ("worker", worker_cmd)):
                procs.append(_start([sys.executable, *args], env, Path(folder) / f"{name}.log"))
            api = f"http://127.0.0.1:{api_port}"
            _wait_http(api + "/health")
            token, user_id = _register(api, embedded.mailbox)
            asyncio.run(_whitelist(user_id))
            lines = asyncio.run(_measure(api, token, llm_url))
        except Exception:
            for name in ("api.log", "worker.log"):
                print(f"--- {name}\n" + (Path(folder) / name).read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
            embedded.stop()
    return lines


async def _measure(api: str, token: str, llm_url: str) -> list[dict]:
    url = api.replace("http://", "ws://") + f"/ws/chat?token={token}"
    await _round(url, 1)  # warm-up: worker imports, MCP client, first connections
    floor = await _in_process_first_delta(llm_url)
    floor_p50, rtt = statistics.median(floor), await _redis_rtt()
    lines = []
    for n in CONCURRENCY:
        marks, errors = await _round(url, n)
        first = [m["first_chunk"] for m in marks]
        overhead = [f - floor_p50 for f in first]
        lines.append(
            {
                "bench": "chat_turn",
                "concurrency": n,
                "errors": errors,
                "turn_started_p50_ms": _pct([m["started"] for m in marks], 50),
                "first_chunk_p50_ms": _pct(first, 50),
                "first_chunk_p99_ms": _pct(first, 99),
                "first_chunk_overhead_p50_ms": _pct(overhead, 50),
                "first_chunk_overhead_p99_ms": _pct(overhead, 99),
                "complete_p50_ms": _pct([m["complete"] for m in marks], 50),
                "complete_p99_ms": _pct([m["complete"] for m in marks], 99),
                "in_process_first_delta_p50_ms": round(floor_p50, 2),
                "redis_rtt_ms": round(statistics.median(rtt), 3),
            }
        )
    return lines
