"""The summary line says whether a failed message will run again or is lost."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries

from workers.middleware import SummaryLog


def _outcomes_of(max_retries: int) -> list[tuple[str, int]]:
    broker = StubBroker()
    broker.add_middleware(SummaryLog(), before=Retries)
    broker.emit_after("process_boot")

    @dramatiq.actor(broker=broker, max_retries=max_retries, min_backoff=1, max_backoff=1)
    def always_fails() -> None:
        raise RuntimeError("upstream down")

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("kubera.workers")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    worker = Worker(broker, worker_timeout=10)
    worker.start()
    try:
        always_fails.send()
        broker.join(always_fails.queue_name, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = [r for r in records if r.getMessage() == "message finished"]
    return [(r.outcome, r.retries) for r in lines]


def test_a_message_that_will_run_again_logs_retry_and_its_last_attempt_failed():
    assert _outcomes_of(max_retries=2) == [("retry", 1), ("retry", 2), ("failed", 3)]


def test_a_message_without_retries_logs_failed_at_once():
    assert _outcomes_of(max_retries=0) == [("failed", 1)]
