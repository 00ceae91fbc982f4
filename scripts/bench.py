"""`make bench`: each benchmark prints one JSON line, its figures measured beside
a baseline in the same run (this machine is shared and noisy; ratios travel).

    python -m scripts.bench            every benchmark
    python -m scripts.bench login      one of them
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scripts import bench_market

ROUNDS = 30
# Quiet time before each queue_wakeup send. Dramatiq's back-off keeps growing
# for ~1 s of idling: after longer quiet it waits more (FINDINGS: 373 ms).
IDLE_GAP_MS = 250


def _timed(fn: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _p(samples: list[float], q: float) -> float:
    return round(statistics.quantiles(samples, n=100)[int(q) - 1], 3)


def bench_login() -> dict:
    """HTTP sign-in end to end vs the argon2id verification it must do."""
    import httpx

    from domain.accounts import passwords
    from scripts.bootstrap import migrate, seed_admin, serve_in_thread, start_missing
    from scripts.services import free_port

    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("ADMIN_PASSWORD", "Bench!Passw0rd")
        embedded = start_missing(Path(folder), persist=False, echo_mail=False)
        try:
            migrate()
            seed_admin()
            import dramatiq  # noqa: F401  (the API imports the broker at start)

            port = free_port()
            server, thread = serve_in_thread(port)
            body = {"username": "admin", "password": os.environ["ADMIN_PASSWORD"]}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                client.post("/auth/login", json=body)  # warm-up
                ours = _timed(lambda: client.post("/auth/login", json=body))
            stored = passwords.hash_password(body["password"])
            base = _timed(lambda: passwords.verify_password(stored, body["password"]))
            server.should_exit = True
            thread.join(timeout=10)
        finally:
            embedded.stop()
    return {
        "bench": "login",
        "p50_ms": _p(ours, 50),
        "p90_ms": _p(ours, 90),
        "p99_ms": _p(ours, 99),
        "argon2_p50_ms": _p(base, 50),
        "vs_argon2_x": round(_p(ours, 50) / _p(base, 50), 2),
    }


def _queue_variant(url: str, name: str, waking: bool, timeout_ms: int) -> tuple[list, float]:
    """Idle-send latency samples (ms) and idle CPU (% of a core) of one worker."""
    import queue

    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    from workers.wakeup import WakingRedisBroker

    broker_class = WakingRedisBroker if waking else RedisBroker
    broker = broker_class(url=url, namespace=f"bench-{name}")
    arrived: queue.Queue = queue.Queue()

    def probe(sent_at: float) -> None:
        arrived.put((time.time() - sent_at) * 1000)

    actor = dramatiq.actor(probe, broker=broker, queue_name="chat", actor_name=f"probe_{name}")
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=timeout_ms)
    worker.start()
    try:
        samples = []
        for _ in range(ROUNDS):
            time.sleep(IDLE_GAP_MS / 1000)  # the consumer goes idle: what is measured
            actor.send(time.time())
            samples.append(arrived.get(timeout=10))
        cpu_started, wall_started = time.process_time(), time.monotonic()
        time.sleep(3)
        cpu_pct = (time.process_time() - cpu_started) / (time.monotonic() - wall_started) * 100
    finally:
        worker.stop()
        broker.close()
    return samples, round(cpu_pct, 2)


def bench_queue_wakeup() -> dict:
    """Send → actor start on an idle chat worker: ours (woken) vs Dramatiq polling."""
    from scripts.services import start_valkey

    with tempfile.TemporaryDirectory() as folder:
        server, url = start_valkey(Path(folder), persist=False)
        try:
            ours, ours_cpu = _queue_variant(url, "woken", True, 1000)
            default, default_cpu = _queue_variant(url, "default", False, 1000)
            fast, fast_cpu = _queue_variant(url, "poll5", False, 5)
        finally:
            server.stop()
    return {
        "bench": "queue_wakeup",
        "rounds": ROUNDS,
        "idle_gap_ms": IDLE_GAP_MS,
        "p50_ms": _p(ours, 50),
        "p90_ms": _p(ours, 90),
        "p99_ms": _p(ours, 99),
        "idle_cpu_pct": ours_cpu,
        "dramatiq_default_p50_ms": _p(default, 50),
        "dramatiq_default_idle_cpu_pct": default_cpu,
        "dramatiq_poll5ms_p50_ms": _p(fast, 50),
        "dramatiq_poll5ms_idle_cpu_pct": fast_cpu,
        "vs_dramatiq_default_x": round(_p(ours, 50) / _p(default, 50), 3),
    }


def bench_chat_turn() -> list[dict]:
    from scripts.bench_chat import run

    return run()


BENCHES = {
    "indicators_one_symbol": bench_market.bench_indicators_one_symbol,
    "tool_call_cached": bench_market.bench_tool_call_cached,
    "login": bench_login,
    "queue_wakeup": bench_queue_wakeup,
    "chat_turn": bench_chat_turn,
}


@contextlib.contextmanager
def _own_environment() -> Iterator[None]:
    """Each benchmark starts and stops its own servers and exports their URLs;
    the next one must not find the URLs of servers that are gone."""
    from domain.settings import reset_settings

    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have {', '.join(BENCHES)}")
        return 2
    for name in names:
        with _own_environment():
            result = BENCHES[name]()
        for line in result if isinstance(result, list) else [result]:
            print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
