from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm.gateway import Gateway, serve


@pytest.fixture(scope="session")
def _served_gateway() -> Iterator[Gateway]:
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
