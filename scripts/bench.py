"""`make bench`: each benchmark prints one JSON line, its figures measured beside
a baseline in the same run (this machine is shared and noisy; ratios travel).

    python -m scripts.bench            every benchmark
    python -m scripts.bench login      one of them
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROUNDS = 30


def _timed(fn: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _p(samples: list[float], q: float) -> float:
    return round(statistics.quantiles(samples, n=100)[int(q) - 1], 3)


def bench_indicators() -> dict:
    """Our indicator layer vs TA-Lib called directly on the same arrays."""
    import numpy as np
    import talib

    from domain.market import indicators
    from domain.market.demo import DemoSource
    from domain.market.instruments import resolve

    frame = DemoSource().history(resolve("INFY"), period="max").frame
    close, high, low = (frame[c].to_numpy(np.float64) for c in ("Close", "High", "Low"))
    volume = frame["Volume"].to_numpy(np.float64)

    def raw() -> None:
        for period in (20, 50, 200):
            talib.SMA(close, period)
        talib.EMA(close, 12), talib.EMA(close, 26), talib.RSI(close, 14)
        talib.MACD(close, 12, 26, 9), talib.BBANDS(close, 20, 2, 2)
        talib.ATR(high, low, close, 14), talib.OBV(close, volume)

    ours = _timed(lambda: indicators.technicals(frame), 200)
    base = _timed(raw, 200)
    return {
        "bench": "indicators",
        "bars": len(frame),
        "p50_ms": _p(ours, 50),
        "talib_p50_ms": _p(base, 50),
        "vs_talib_x": round(_p(ours, 50) / _p(base, 50), 2),
    }


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
        "argon2_p50_ms": _p(base, 50),
        "vs_argon2_x": round(_p(ours, 50) / _p(base, 50), 2),
    }


BENCHES = {"indicators": bench_indicators, "login": bench_login}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have {', '.join(BENCHES)}")
        return 2
    for name in names:
        print(json.dumps(BENCHES[name]()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
