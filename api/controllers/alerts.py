"""The /alerts endpoints: a user's price and indicator alerts.

An alert is checked each time the refresh job prices its listing; creating
one (or pointing it at another listing) also queues a refresh of that listing,
so a condition already true fires within moments. Another user's alert
answers 404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from litestar import Controller, delete, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from api.controllers.portfolio import refresh_enqueuer, symbol_resolver
from api.deps import CurrentUser, Db, provide_user
from api.schemas import Body
from domain.alerts import service
from domain.alerts.models import PriceAlert
from domain.jobs.models import JobRun
from domain.portfolio.refresh import request_refresh

Metric = Literal["price", "rsi_14", "sma_50", "sma_200", "day_change_pct"]
Operator = Literal["above", "below"]
_METRIC_HELP = "price, sma_50 and sma_200 in ₹; rsi_14 from 0 to 100; day_change_pct in per cent."


class AlertIn(Body):
    symbol: str = Field(min_length=1, max_length=40)
    exchange: Literal["NSE", "BSE"] | None = None
    metric: Metric = Field("price", description=_METRIC_HELP)
    operator: Operator
    threshold: float
    note: str | None = Field(None, max_length=200)


class AlertUpdateIn(Body):
    symbol: str | None = Field(None, min_length=1, max_length=40)
    exchange: Literal["NSE", "BSE"] | None = None
    metric: Metric | None = Field(None, description=_METRIC_HELP)
    operator: Operator | None = None
    threshold: float | None = None
    note: str | None = Field(None, max_length=200)


class AlertOut(BaseModel):
    id: uuid.UUID
    symbol: str
    exchange: str
    metric: str
    operator: str
    threshold: float
    note: str | None
    condition: str = Field(description="The condition in words.")
    armed: bool = Field(description="False after firing, until the condition is false again.")
    last_value: float | None
    last_checked_at: datetime | None
    last_triggered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    refresh_job_id: uuid.UUID | None = None


def alert_out(alert: PriceAlert, run: JobRun | None = None) -> AlertOut:
    fields = ("id", "symbol", "exchange", "threshold", "note", "armed", "last_value")
    return AlertOut(
        **{name: getattr(alert, name) for name in fields},
        metric=alert.metric.value,
        operator=alert.operator.value,
        condition=service.describe(alert),
        last_checked_at=alert.last_checked_at,
        last_triggered_at=alert.last_triggered_at,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        refresh_job_id=run.id if run else None,
    )


async def _check_soon(db: Db, user_id: uuid.UUID, alert: PriceAlert) -> JobRun:
    key = {(alert.symbol, alert.exchange)}
    return await request_refresh(db, user_id, key, refresh_enqueuer(), must_queue=False)


class AlertsController(Controller):
    path = "/alerts"
    tags = ["alerts"]
    dependencies = {"user": Provide(provide_user)}
    security = [{"BearerToken": []}]

    @get("/")
    async def list_alerts(self, db: Db, user: CurrentUser) -> list[AlertOut]:
        """Your alerts, oldest first."""
        return [alert_out(a) for a in await service.list_alerts(db, user.id)]

    @get("/{alert_id:uuid}")
    async def get_alert(self, alert_id: FromPath[uuid.UUID], db: Db, user: CurrentUser) -> AlertOut:
        """One of your alerts, with its arming state and the last value checked."""
        return alert_out(await service.owned_alert(db, user.id, alert_id))

    @post("/", status_code=201)
    async def add_alert(
        self, data: JSONBody[AlertIn], db: Db, user: CurrentUser, state: State
    ) -> AlertOut:
        """Set an alert, e.g. INFY price above 1600, or TCS rsi_14 below 30."""
        alert = await service.add_alert(
            db, user.id, service.AlertInput(**data.model_dump()), symbol_resolver(state)
        )
        return alert_out(alert, await _check_soon(db, user.id, alert))

    @put("/{alert_id:uuid}")
    async def update_alert(
        self,
        alert_id: FromPath[uuid.UUID],
        data: JSONBody[AlertUpdateIn],
        db: Db,
        user: CurrentUser,
        state: State,
    ) -> AlertOut:
        """Change an alert; a changed condition re-arms it and is checked soon."""
        alert = await service.owned_alert(db, user.id, alert_id)
        changes = service.AlertInput(**data.model_dump(exclude_unset=True))
        if await service.update_alert(db, alert, changes, symbol_resolver(state)):
            return alert_out(alert, await _check_soon(db, user.id, alert))
        await db.commit()
        return alert_out(alert)

    @delete("/{alert_id:uuid}", status_code=204)
    async def delete_alert(self, alert_id: FromPath[uuid.UUID], db: Db, user: CurrentUser) -> None:
        """Remove an alert."""
        await service.delete_alert(db, await service.owned_alert(db, user.id, alert_id))
