"""CachedSource: one Redis cache of market data, shared by every API and worker process.

It wraps any MarketSource. Each result lives under
`kubera:market:v1:<source>:<method>:<yahoo_symbol>:<args>` for its kind's TTL.

- Single flight: on a miss a caller takes `<key>:lock` (SET NX PX). The holder
  alone calls upstream, then in one script stores the value, releases the lock
  and publishes the outcome on `<key>:ready`. Others, in any process, subscribe
  to that channel and take the published value. A holder that dies leaves a
  lock that expires; a waiter then takes over.
- Each stored value is also kept under `<key>:last` for a week. When upstream
  fails with SourceUnavailable (timeouts and 429s included), that copy is served
  with `stale=True`; with none, the error propagates.
- A 429 sets `kubera:market:backoff:<source>` for 2 s, 4 s, ... up to 5 min (the
  strike count resets on success). While it is set, misses skip upstream.
- Empty results are returned but not stored, and neither are failures.
- Values are JSON (`dumps`/`loads`, no pickle); floats and dtypes round-trip exactly.
- When Redis fails, calls go straight to the source with a warning, and skip
  the cache for the next few seconds rather than each wait on a dead server.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as clock_time
from typing import Any, TypeVar

import pandas as pd
import redis
from redis.exceptions import RedisError

from domain.market.codec import dumps, loads
from domain.market.errors import RateLimitedUpstream, SourceTimeout, SourceUnavailable
from domain.market.instruments import Instrument
from domain.market.models import (
    AnalystView,
    CorporateActions,
    FinancialStatements,
    Frequency,
    Fundamentals,
    Governance,
    Holders,
    InsiderTransactions,
    NewsFeed,
    PriceHistory,
    Quote,
)
from domain.market.nifty50 import NIFTY_INDEX_SYMBOL
from domain.market.source import DEFAULT_NEWS_LIMIT, DEFAULT_PERIOD, MarketSource, check_period

log = logging.getLogger("kubera.market.cache")

DEFAULT_QUOTE_OPEN_TTL_S = 60  # during the NSE session
DEFAULT_QUOTE_CLOSED_TTL_S = 15 * 60  # outside it (cut short just before the open)
DEFAULT_HISTORY_TTL_S = 60 * 60
DEFAULT_REFERENCE_TTL_S = 24 * 60 * 60  # fundamentals, financials, holders, ...
DEFAULT_NEWS_TTL_S = 15 * 60
DEFAULT_LAST_GOOD_TTL_S = 7 * 24 * 60 * 60
# How long one caller may hold a key's fetch; well above YahooSource's deadline.
DEFAULT_LOCK_TTL_S = 30
DEFAULT_BACKOFF_BASE_S = 2
DEFAULT_BACKOFF_CAP_S = 5 * 60
DEFAULT_REDIS_TIMEOUT_S = 2.0
# After a Redis failure, calls skip the cache this long instead of each waiting on it.
DEFAULT_REDIS_RETRY_S = 5.0
_STRIKES_TTL_S = 60 * 60
KEY_PREFIX = "kubera:market:v1"
BACKOFF_PREFIX = "kubera:market:backoff"

IST = timezone(timedelta(hours=5, minutes=30), "IST")  # India keeps no DST
NSE_OPEN, NSE_CLOSE = clock_time(9, 15), clock_time(15, 30)
_TTL_S = {
    "history": DEFAULT_HISTORY_TTL_S,
    "index_history": DEFAULT_HISTORY_TTL_S,
    "news": DEFAULT_NEWS_TTL_S,
}
_COUNTERS = ("hits", "misses", "shared", "stale", "upstream_calls", "backoff_skips", "redis_errors")

# Stores (unless ARGV[3] is 'error'), resets strikes, releases our lock and
# publishes the outcome, atomically: a waiter sees either the message or the result.
_FINISH_LUA = """
local kind = ARGV[3]
if kind == 'store' then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
  redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[6])
  kind = 'value'
end
if kind ~= 'error' then redis.call('DEL', KEYS[4]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('PUBLISH', ARGV[2], kind .. ':' .. ARGV[4])
"""
# Starts the next back-off period unless one is running; returns its length in ms.
_BACKOFF_LUA = """
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return left end
local strikes = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local delay = math.floor(math.min(tonumber(ARGV[1]) * 2 ^ (strikes - 1), tonumber(ARGV[2])))
redis.call('SET', KEYS[1], strikes, 'PX', delay)
return delay
"""

T = TypeVar("T")


def quote_ttl_s(now: datetime) -> int:
    """60 s during NSE hours (09:15–15:30 IST, Monday–Friday), else 15 min, but
    never past the next open. `now` must be timezone-aware."""
    local = now.astimezone(IST)
    if local.weekday() >= 5 or local.time() >= NSE_CLOSE:
        return DEFAULT_QUOTE_CLOSED_TTL_S
    if local.time() >= NSE_OPEN:
        return DEFAULT_QUOTE_OPEN_TTL_S
    until_open = datetime.combine(local.date(), NSE_OPEN, IST) - local
    return max(1, min(DEFAULT_QUOTE_CLOSED_TTL_S, math.ceil(until_open.total_seconds())))


def redis_client(url: str, timeout_s: float = DEFAULT_REDIS_TIMEOUT_S) -> redis.Redis:
    """A sync client that fails fast, so a dead Redis costs little per call."""
    return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class _Key:
    value: str

    @property
    def last(self) -> str:
        return self.value + ":last"

    @property
    def lock(self) -> str:
        return self.value + ":lock"

    @property
    def channel(self) -> str:
        return self.value + ":ready"


class CachedSource(MarketSource):
    """`source` behind the shared cache; see the module docstring."""

    def __init__(
        self,
        source: MarketSource,
        client: redis.Redis,
        *,
        now: Callable[[], datetime] = _utcnow,
        lock_ttl_s: float = DEFAULT_LOCK_TTL_S,
        last_good_ttl_s: float = DEFAULT_LAST_GOOD_TTL_S,
        backoff_base_s: float = DEFAULT_BACKOFF_BASE_S,
        backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S,
        redis_retry_s: float = DEFAULT_REDIS_RETRY_S,
    ) -> None:
        self.source = source
        self.name = source.name
        self._redis = client
        self._now = now
        self._lock_ms = int(lock_ttl_s * 1000)
        self._last_ms = int(last_good_ttl_s * 1000)
        self._backoff_ms = (int(backoff_base_s * 1000), int(backoff_cap_s * 1000))
        self.backoff_key = f"{BACKOFF_PREFIX}:{source.name}"
        self._strikes_key = self.backoff_key + ":strikes"
        self._finish_script = client.register_script(_FINISH_LUA)
        self._backoff_script = client.register_script(_BACKOFF_LUA)
        self._counts = dict.fromkeys(_COUNTERS, 0)
        self._counts_lock = threading.Lock()
        self._redis_retry_s = redis_retry_s
        self._skip_redis_until = 0.0

    def resolve(self, text: str) -> Instrument:
        return self.source.resolve(text)

    def quote(self, instrument: Instrument) -> Quote:
        return self._on(instrument, "quote")

    def history(self, instrument: Instrument, period: str = DEFAULT_PERIOD) -> PriceHistory:
        return self._on(instrument, "history", period, args=f"period={check_period(period)}")

    def index_history(
        self, index_symbol: str = NIFTY_INDEX_SYMBOL, period: str = DEFAULT_PERIOD
    ) -> PriceHistory:
        args = f"period={check_period(period)}"
        fetch = self.source.index_history
        return self._get("index_history", index_symbol, args, fetch, index_symbol, period)

    def fundamentals(self, instrument: Instrument) -> Fundamentals:
        return self._on(instrument, "fundamentals")

    def financials(
        self, instrument: Instrument, frequency: Frequency = "annual"
    ) -> FinancialStatements:
        return self._on(instrument, "financials", frequency, args=f"frequency={frequency}")

    def corporate_actions(self, instrument: Instrument) -> CorporateActions:
        return self._on(instrument, "corporate_actions")

    def holders(self, instrument: Instrument) -> Holders:
        return self._on(instrument, "holders")

    def insider_transactions(self, instrument: Instrument) -> InsiderTransactions:
        return self._on(instrument, "insider_transactions")

    def analyst_view(self, instrument: Instrument) -> AnalystView:
        return self._on(instrument, "analyst_view")

    def news(self, instrument: Instrument, limit: int = DEFAULT_NEWS_LIMIT) -> NewsFeed:
        return self._on(instrument, "news", limit, args=f"limit={limit}")

    def governance(self, instrument: Instrument) -> Governance:
        return self._on(instrument, "governance")

    def ttl_s(self, method: str) -> int:
        """How long a fresh `method` result is kept, as of the injected clock."""
        if method == "quote":
            return quote_ttl_s(self._now())
        return _TTL_S.get(method, DEFAULT_REFERENCE_TTL_S)

    def key(self, method: str, symbol: str, args: str = "-") -> str:
        return f"{KEY_PREFIX}:{self.name}:{method}:{symbol}:{args}"

    def stats(self) -> dict[str, int]:
        """This process's counters: hits, misses, shared (served another caller's
        fetch), stale, upstream_calls, backoff_skips, redis_errors."""
        with self._counts_lock:
            return dict(self._counts)

    def _count(self, name: str) -> None:
        with self._counts_lock:
            self._counts[name] += 1

    def _on(self, instrument: Instrument, method: str, *params: Any, args: str = "-") -> Any:
        fetch = getattr(self.source, method)
        return self._get(method, instrument.yahoo_symbol, args, fetch, instrument, *params)

    def _get(self, method: str, symbol: str, args: str, call: Callable[..., T], *params: Any) -> T:
        key = _Key(self.key(method, symbol, args))

        def fetch() -> T:
            self._count("upstream_calls")
            return call(*params)

        if time.monotonic() < self._skip_redis_until:
            return fetch()
        try:
            return self._cached(key, self.ttl_s(method), fetch)
        except RedisError as exc:
            self._skip_redis_until = time.monotonic() + self._redis_retry_s
            self._count("redis_errors")
            log.warning(
                "market cache unavailable, calling source directly",
                extra={"key": key.value, "error_type": type(exc).__name__, "reason": str(exc)},
            )
            return fetch()

    def _cached(self, key: _Key, ttl_s: int, fetch: Callable[[], T]) -> T:
        """Redis errors raised here come before any upstream call."""
        wait_s = 2 * self._lock_ms / 1000
        give_up = time.monotonic() + wait_s
        raw = self._redis.get(key.value)
        if raw is not None and (value := self._load(raw, key)) is not None:
            self._count("hits")
            return value
        self._count("misses")
        while True:
            left_ms = self._redis.pttl(self.backoff_key)
            if left_ms > 0:
                self._count("backoff_skips")
                return self._stale_or_raise(key, self._backing_off(left_ms))
            token = uuid.uuid4().hex
            if self._redis.set(key.lock, token, nx=True, px=self._lock_ms):
                return self._lead(key, ttl_s, token, fetch)
            outcome = self._follow(key)
            if outcome is not None:
                return self._settle(key, outcome, fetch)
            if time.monotonic() > give_up:
                waited = f"gave up waiting for another caller's fetch of {key.value}"
                return self._stale_or_raise(
                    key, SourceTimeout(waited, source=self.name, deadline_s=wait_s)
                )
            raw = self._redis.get(key.value)
            if raw is not None and (value := self._load(raw, key)) is not None:
                self._count("hits")
                return value

    def _lead(self, key: _Key, ttl_s: int, token: str, fetch: Callable[[], T]) -> T:
        raw = self._redis.get(key.value)  # filled between our miss and our lock?
        if raw is not None and (value := self._load(raw, key)) is not None:
            self._finish(key, token, "value", raw)
            self._count("hits")
            return value
        try:
            result = fetch()
        except SourceUnavailable as exc:
            self._upstream_failed(key, token, exc)
            return self._stale_or_raise(key, exc)
        except BaseException as exc:
            self._finish(key, token, "error", _error_body(exc, transient=False))
            raise
        try:
            payload = dumps(result)
        except (TypeError, ValueError) as exc:
            log.warning(
                "market result not cacheable",
                extra={"key": key.value, "error_type": type(exc).__name__, "reason": str(exc)},
            )
            self._finish(key, token, "error", _error_body(exc, transient=False))
            return result
        kind = "value" if is_empty(result) else "store"
        self._finish(key, token, kind, payload, ttl_ms=ttl_s * 1000)
        return result

    def _upstream_failed(self, key: _Key, token: str, exc: SourceUnavailable) -> None:
        if isinstance(exc, RateLimitedUpstream):
            base_ms, cap_ms = self._backoff_ms
            keys = [self.backoff_key, self._strikes_key]
            args = [base_ms, cap_ms, _STRIKES_TTL_S * 1000]
            delay_ms = self._safe("start backoff", key, self._backoff_script, keys=keys, args=args)
            if delay_ms:
                _set_retry_after(exc, int(delay_ms))
                log.warning(
                    "market source rate limited, backing off",
                    extra={"source": self.name, "backoff_ms": int(delay_ms)},
                )
        self._finish(key, token, "error", _error_body(exc, transient=True))

    def _finish(self, key: _Key, token: str, kind: str, body: str | bytes, ttl_ms: int = 0) -> None:
        keys = [key.lock, key.value, key.last, self._strikes_key]
        args = [token, key.channel, kind, body, ttl_ms, self._last_ms]
        self._safe("finish fetch", key, self._finish_script, keys=keys, args=args)

    def _follow(self, key: _Key) -> tuple[str, str] | None:
        """Wait for the lock holder's outcome; None means look again (the
        holder finished before we subscribed, died, or is slow)."""
        with self._redis.pubsub(ignore_subscribe_messages=True) as sub:
            sub.subscribe(key.channel)
            raw = self._redis.get(key.value)
            if raw is not None:
                return "value", _text(raw)
            left_ms = self._redis.pttl(key.lock)
            if left_ms == -2:  # done, maybe since we subscribed: fence with a PING
                sub.ping()
            wait_ms = left_ms if left_ms > 0 else self._lock_ms
            message = _next_message(sub, wait_ms / 1000, until_pong=left_ms == -2)
        if message is None:
            return None
        kind, _, body = message.partition(":")
        return kind, body

    def _settle(self, key: _Key, outcome: tuple[str, str], fetch: Callable[[], T]) -> T:
        kind, body = outcome
        if kind == "value" and (value := self._load(body, key)) is not None:
            self._count("shared")
            return value
        error = json.loads(body) if kind == "error" else {"transient": False}
        if error["transient"]:
            return self._stale_or_raise(key, _rebuild_error(error, self.name))
        return fetch()  # the holder's error was ours to see, not to share

    def _stale_or_raise(self, key: _Key, exc: SourceUnavailable) -> Any:
        raw = self._safe("read last good", key, self._redis.get, key.last)
        value = None if raw is None else self._load(raw, key)
        if value is None:
            raise exc
        self._count("stale")
        log.warning(
            "serving stale market data",
            extra={"key": key.value, "error_type": type(exc).__name__, "as_of": str(value.as_of)},
        )
        return dataclasses.replace(value, stale=True)

    def _backing_off(self, left_ms: int) -> RateLimitedUpstream:
        exc = RateLimitedUpstream(
            f"{self.name} is rate limited; backing off for {left_ms} ms", source=self.name
        )
        _set_retry_after(exc, left_ms)
        return exc

    def _load(self, raw: str | bytes, key: _Key) -> Any:
        """The decoded value, or None (logged) if it no longer decodes."""
        try:
            return loads(raw)
        except (TypeError, ValueError, KeyError) as exc:
            log.warning(
                "market cache entry unreadable",
                extra={"key": key.value, "error_type": type(exc).__name__, "reason": str(exc)},
            )
            return None

    def _safe(self, operation: str, key: _Key, call: Callable[..., Any], *args, **kwargs) -> Any:
        """`call`, or None (logged) if Redis fails: used once upstream was asked."""
        try:
            return call(*args, **kwargs)
        except RedisError as exc:
            self._count("redis_errors")
            log.warning(
                "market cache operation failed",
                extra={"key": key.value, "operation": operation, "error_type": type(exc).__name__},
            )
            return None


def _next_message(sub: Any, timeout_s: float, *, until_pong: bool = False) -> str | None:
    """The next published message within `timeout_s`, blocking on the socket;
    with `until_pong`, only one published before our PING's reply."""
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        message = sub.get_message(timeout=left)
        if message is None:
            continue
        if message["type"] == "message":
            return _text(message["data"])
        if until_pong and message["type"] == "pong":
            return None
    return None


def _text(raw: str | bytes) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _set_retry_after(exc: RateLimitedUpstream, delay_ms: int) -> None:
    exc.retry_after_s = math.ceil(delay_ms / 1000)  # type: ignore[attr-defined]
    exc.extra["retry_after_s"] = exc.retry_after_s  # type: ignore[attr-defined]


def _error_body(exc: BaseException, *, transient: bool) -> str:
    body = {"type": type(exc).__name__, "message": str(exc), "transient": transient}
    if isinstance(exc, SourceTimeout):
        body["deadline_s"] = exc.deadline_s
    if isinstance(retry := getattr(exc, "retry_after_s", None), int):
        body["retry_after_s"] = retry
    return json.dumps(body)


def _rebuild_error(body: dict[str, Any], source: str) -> SourceUnavailable:
    if body["type"] == "SourceTimeout":
        return SourceTimeout(body["message"], source=source, deadline_s=body["deadline_s"])
    if body["type"] == "RateLimitedUpstream":
        exc = RateLimitedUpstream(body["message"], source=source)
        if "retry_after_s" in body:
            _set_retry_after(exc, body["retry_after_s"] * 1000)
        return exc
    return SourceUnavailable(body["message"], source=source)


# Emptiness: a result with nothing but its metadata is not worth keeping.
_META_FIELDS = frozenset({"source", "as_of", "symbol", "frequency", "stale", "raw"})


def is_empty(result: Any) -> bool:
    if isinstance(result, CorporateActions):
        return result.dividends.empty
    fields = [f.name for f in dataclasses.fields(result) if f.name not in _META_FIELDS]
    return all(_blank(getattr(result, name)) for name in fields)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.empty
    if isinstance(value, tuple | list | dict | str):
        return not value
    if dataclasses.is_dataclass(value):
        return all(_blank(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False
