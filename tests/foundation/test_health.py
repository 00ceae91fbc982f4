"""`/health` answers 200 only while PostgreSQL and Redis both answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.settings import DatabaseSettings, RedisSettings, get_settings
from scripts.services import free_port


def _app_with(**groups) -> Iterator[TestClient]:
    settings = get_settings().model_copy(update=groups)
    with TestClient(create_app(settings)) as http:
        yield http


@pytest.fixture
def without_database(stack) -> Iterator[TestClient]:
    # Nothing listens on a fresh free port: every connection is refused.
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres"
    yield from _app_with(database=DatabaseSettings(url=url))


@pytest.fixture
def without_redis(stack) -> Iterator[TestClient]:
    yield from _app_with(redis=RedisSettings(url=f"redis://127.0.0.1:{free_port()}/0"))


def test_health_is_503_and_names_the_database_when_it_does_not_answer(without_database):
    response = without_database.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is False and body["redis"]["ok"] is True
    assert "Traceback" not in response.text


def test_health_is_503_and_names_redis_when_it_does_not_answer(without_redis):
    response = without_redis.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False and body["database"]["ok"] is True
