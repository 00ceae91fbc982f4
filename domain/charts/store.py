"""Storing and reading charts.

MCP tools are synchronous and FastMCP runs them on threads, so the store they
call is synchronous too: it hands each insert to a private event loop thread
that owns its own async engine, and waits for the id.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import domain.db.models  # noqa: F401  (every table: charts.user_id's foreign key needs users)
from domain.charts.models import Chart
from domain.db.session import make_engine, make_sessionmaker
from domain.errors import NotFound
from domain.settings import DatabaseSettings

# An insert that takes longer than this means the database is in trouble.
DEFAULT_SAVE_TIMEOUT_S = 10.0


class DbChartStore:
    def __init__(self, settings: DatabaseSettings) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="kubera-chart-store"
        )
        self._thread.start()
        self._engine = make_engine(settings.model_copy(update={"pool_size": 2}))
        self._sessions = make_sessionmaker(self._engine)

    async def _insert(self, chart: Chart) -> None:
        async with self._sessions() as session:
            session.add(chart)
            await session.commit()

    def save(
        self, kind: str, title: str, figure: dict[str, Any], symbols: list[str], source: str
    ) -> str:
        chart = Chart(
            id=uuid.uuid4(),
            kind=kind,
            title=title[:200],
            figure=figure,
            symbols=list(symbols),
            source=source,
        )
        future = asyncio.run_coroutine_threadsafe(self._insert(chart), self._loop)
        future.result(timeout=DEFAULT_SAVE_TIMEOUT_S)
        return str(chart.id)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def get_chart(session: AsyncSession, chart_id: uuid.UUID) -> Chart:
    chart = await session.get(Chart, chart_id)
    if chart is None:
        raise NotFound("No chart has this id")
    return chart
