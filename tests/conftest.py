"""The test harness: real PostgreSQL, real Valkey, a real SMTP server, a real
Dramatiq worker and the API served by uvicorn over HTTP, all started here when
DATABASE_URL / REDIS_URL / SMTP_HOST are not given.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.bootstrap import Embedded, migrate, serve_in_thread, start_missing
from scripts.services import Mailbox, free_port
from tests.llm.gateway import Gateway, serve


def _configure_env(data_dir: Path) -> Embedded:
    os.environ.update(
        {
            "APP_ENV": "test",
            "APP_LOG_JSON": "true",
            "JWT_SECRET": secrets.token_urlsafe(48),
            # Fast retries so a retried email shows up within a test.
            "WORKER_EMAIL_MIN_BACKOFF_MS": "50",
            "WORKER_EMAIL_MAX_BACKOFF_MS": "200",
            "WORKER_EMAIL_MAX_RETRIES": "3",
            "WORKER_HEARTBEAT_S": "1",
            # Offline and deterministic: the demo market and the offline analyst.
            "MARKET_DATA_SOURCE": "demo",
            "LLM_API_KEY": "",
            "OPENROUTER_API_KEY": "",
        }
    )
    return start_missing(data_dir, persist=False, echo_mail=False)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("kubera")
    embedded = _configure_env(data_dir)
    migrate()

    import dramatiq

    from workers.actors import broker

    worker = dramatiq.Worker(
        broker, queues={"chat", "email", "jobs"}, worker_threads=4, worker_timeout=20
    )
    worker.start()
    port = free_port()
    server, thread = serve_in_thread(port)
    url = f"http://127.0.0.1:{port}"
    try:
        yield {
            "url": url,
            "mailbox": embedded.mailbox,
            "broker": broker,
            "worker": worker,
            "database_url": os.environ["DATABASE_URL"],
        }
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        from workers import db

        db.run(db.dispose())
        worker.stop()
        broker.close()
        embedded.stop()


@pytest.fixture
def client(stack: dict) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack["url"], timeout=30) as http:
        yield http


@pytest.fixture
def mailbox(stack: dict) -> Mailbox:
    assert stack["mailbox"] is not None, "these tests read mail from the local SMTP sink"
    return stack["mailbox"]


@pytest.fixture
def drain(stack: dict):
    """Wait until every queued email and job has been processed."""

    def wait() -> None:
        # Producers first: turns and jobs queue email, email queues nothing.
        stack["broker"].join("chat", timeout=60_000)
        stack["broker"].join("jobs", timeout=20_000)
        stack["broker"].join("email", timeout=20_000)
        stack["worker"].join()

    return wait


@pytest.fixture(scope="session")
def _served_gateway() -> Iterator[Gateway]:
    """The local OpenAI-compatible stand-in (tests/llm/gateway.py), one per run."""
    gateway = Gateway()
    server, thread = serve(gateway)
    try:
        yield gateway
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def gateway(_served_gateway: Gateway) -> Iterator[Gateway]:
    _served_gateway.reset()
    yield _served_gateway
    _served_gateway.reset()
