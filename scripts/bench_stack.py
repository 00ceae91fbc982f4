"""The whole stack for the `chat_turn` benchmark, each part its own process:
the API (uvicorn), one chat worker (Dramatiq), PostgreSQL, Valkey, and a local
OpenAI-compatible server that streams its answer at once.

The stand-in model runs in a process of its own so that it competes with the
benchmark's clients for a core, not for their interpreter lock.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# As many turns in flight per worker as the largest round sends at once.
WORKER_THREADS = 200
WORDS = ["Kubera ", "streams ", "this ", "answer ", "at ", "once. "] * 4
_PASSWORD = "Bench!Passw0rd"


def _sse(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


_FRAMES = [
    *(
        _sse({"choices": [{"index": 0, "delta": {"content": w}}], "model": "stand-in"})
        for w in WORDS
    ),
    _sse(
        {
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 50, "completion_tokens": len(WORDS)},
        }
    ),
    b"data: [DONE]\n\n",
]


async def stand_in(scope, receive, send) -> None:
    """An OpenAI-compatible chat-completions server that answers at once."""
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"text/event-stream")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for frame in _FRAMES:
        await send({"type": "http.response.body", "body": frame, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


@dataclass
class Stack:
    folder: Path
    api_url: str
    llm_url: str
    token: str = ""
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    redis_pids: list[int] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.api_url.replace("http://", "ws://") + f"/ws/chat?token={self.token}"

    def cpu_s(self) -> dict[str, float]:
        """CPU seconds used so far by each part, its child processes included."""
        import psutil

        parts = {name: [psutil.Process(proc.pid)] for name, proc in self.procs.items()}
        parts["postgres"] = [
            p
            for p in psutil.process_iter(["cmdline"])
            if str(self.folder) in " ".join(p.info["cmdline"] or [])
            and "postgres" in " ".join(p.info["cmdline"] or [])
        ]
        parts["redis"] = [psutil.Process(pid) for pid in self.redis_pids]
        return {name: _cpu_s(found) for name, found in parts.items()}

    def logs(self) -> str:
        parts = []
        for name in self.procs:
            text = (self.folder / f"{name}.log").read_text(errors="replace")
            parts.append(f"--- {name}.log\n{text[-3000:]}")
        return "\n".join(parts)


def _cpu_s(processes: list) -> float:
    import psutil

    total = 0.0
    for process in processes:
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for member in family:
            try:
                times = member.cpu_times()
            except psutil.Error:  # exited between listing and reading
                continue
            # Ended children (a closed database connection, say) count in
            # their parent's children_* times once reaped.
            total += times.user + times.system + times.children_user + times.children_system
    return total


def _uvicorn(target: str, port: int, *extra: str) -> list[str]:
    return [
        *("-m", "uvicorn", target, "--port", str(port)),
        *("--no-access-log", "--log-level", "warning", *extra),
    ]


def _worker() -> list[str]:
    return [
        *("-m", "dramatiq", "workers.actors", "--queues", "chat", "email"),
        *("--processes", "1", "--threads", str(WORKER_THREADS)),
    ]


def _wait_http(url: str, method: str = "GET") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.request(method, url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def running_stack(folder: Path) -> Iterator[Stack]:
    """Start every part, register a whitelisted user; stop everything after."""
    from scripts.bootstrap import migrate, start_missing
    from scripts.services import free_port

    llm_port, api_port = free_port(), free_port()
    stack = Stack(folder, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{llm_port}/v1")
    os.environ.update(
        {
            "LLM_BASE_URL": stack.llm_url,
            "LLM_API_KEY": "bench",
            "MARKET_DATA_SOURCE": "demo",
            "APP_LOG_LEVEL": "WARNING",
        }
    )
    embedded = start_missing(folder, persist=False, echo_mail=False)
    stack.redis_pids = [s.pid for name, s in embedded.started if name == "valkey"]
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    commands = {
        "llm": _uvicorn("scripts.bench_stack:stand_in", llm_port, "--lifespan", "off"),
        "api": _uvicorn("api.app:create_app", api_port, "--factory"),
        "worker": _worker(),
    }
    try:
        migrate()
        for name, args in commands.items():
            log = (folder / f"{name}.log").open("ab")
            stack.procs[name] = subprocess.Popen(
                [sys.executable, *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        _wait_http(stack.llm_url + "/chat/completions", "POST")
        _wait_http(stack.api_url + "/health")
        stack.token = _register(stack.api_url, embedded.mailbox)
        yield stack
    except Exception:
        print(stack.logs(), file=sys.stderr)
        raise
    finally:
        for proc in stack.procs.values():
            proc.terminate()
        for proc in stack.procs.values():
            proc.wait(timeout=30)
        embedded.stop()


def _register(api: str, mailbox) -> str:
    """A new user's access token, whitelisted so no rate limit refuses a round."""
    import asyncio

    from scripts.services import body_text

    email = "bench@example.com"
    with httpx.Client(base_url=api, timeout=30) as client:
        client.post("/auth/register/step1", json={"email": email})
        code = re.search(r"\b(\d{6})\b", body_text(mailbox.wait_for(email, "code"))).group(1)
        client.post("/auth/register/step2", json={"email": email, "otp": code})
        body = client.post(
            "/auth/register/step3",
            json={"email": email, "username": "bencher", "password": _PASSWORD},
        ).json()
    asyncio.run(_whitelist(body["user"]["id"]))
    return body["access_token"]


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
