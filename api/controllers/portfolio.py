"""The /portfolio endpoints: the original five plus polling a price refresh.

Prices come from `price_snapshots`, written by the refresh job; this process
never calls a market source. A holding without a snapshot is `price_pending`.
Money is in rupees; every `*_pct` and `weight_pct` is in percentage points.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from litestar import Controller, delete, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from api.deps import CurrentUser, Db, provide_user
from api.schemas import Body
from domain.errors import NotFound
from domain.jobs.cron import IST
from domain.jobs.models import JobOutcome, JobRun, JobState
from domain.jobs.runs import get_run
from domain.jobs.schedule import REFRESH_PRICES
from domain.portfolio import holdings as service
from domain.portfolio.prices import universe
from domain.portfolio.refresh import Enqueue, request_refresh
from domain.portfolio.symbols import Resolver, resolver_for
from domain.portfolio.valuation import DEMO_NOTICE, HoldingValue, Valuation

Exchange = Literal["NSE", "BSE"]


class HoldingIn(Body):
    symbol: str = Field(min_length=1, max_length=40, description="INFY, infy.ns, NSE:INFY, Infosys")
    exchange: Exchange | None = Field(None, description="Defaults to the symbol's, else NSE.")
    quantity: float = Field(description="Shares held; more than zero.")
    avg_price: float = Field(description="Average buy price per share, ₹; more than zero.")
    buy_date: date | None = Field(None, description="Not in the future; XIRR needs it.")
    notes: str | None = Field(None, max_length=500)


class HoldingUpdateIn(Body):
    symbol: str | None = Field(None, min_length=1, max_length=40)
    exchange: Exchange | None = None
    quantity: float | None = None
    avg_price: float | None = None
    buy_date: date | None = None
    notes: str | None = Field(None, max_length=500)


class HoldingOut(BaseModel):
    id: uuid.UUID
    symbol: str
    exchange: str
    name: str
    sector: str | None
    quantity: float
    avg_price: float
    buy_date: date | None
    notes: str | None
    invested: float
    last_price: float | None
    previous_close: float | None
    value: float | None
    pnl: float | None
    pnl_pct: float | None
    day_change: float | None
    day_change_pct: float | None
    weight_pct: float | None
    price_pending: bool = Field(description="No price yet: the refresh job has not priced it.")
    price_error: str | None = Field(description="Why the last refresh failed, if it did.")
    source: str | None
    as_of: datetime | None
    created_at: datetime
    updated_at: datetime
    refresh_job_id: uuid.UUID | None = None


class TotalsOut(BaseModel):
    invested: float = Field(description="Cost of the priced holdings.")
    value: float
    pnl: float
    pnl_pct: float | None
    day_change: float
    day_change_pct: float | None
    holdings: int
    pending: int = Field(description="Holdings left out of the totals: no price yet.")
    pending_invested: float
    source: str | None
    as_of: datetime | None = Field(description="The oldest price used.")


class SectorOut(BaseModel):
    sector: str
    value: float
    weight_pct: float
    source: str | None
    as_of: datetime | None


class XirrOut(BaseModel):
    rate_pct: float | None = Field(description="Annualised return, per cent.")
    reason: str | None = Field(description="Why rate_pct is null.")
    source: str | None
    as_of: datetime | None


class PortfolioOut(BaseModel):
    currency: str = "INR"
    source: str | None = Field(description="Where the prices came from (demo data says so).")
    as_of: datetime | None = Field(description="The oldest price used anywhere below.")
    demo: bool = Field(description="True when any price is the demo source's synthetic data.")
    notice: str | None = Field(None, description="Set when demo data is shown: says so.")
    holdings: list[HoldingOut]
    totals: TotalsOut
    sector_allocation: list[SectorOut]
    xirr: XirrOut


class RefreshJobOut(BaseModel):
    job_id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    outcome: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    symbols: int = 0
    refreshed: int = 0
    failed: int = 0
    alerts_fired: int = 0
    errors: dict[str, str] = Field(default_factory=dict)
    reason: str | None = None
    poll_url: str


def holding_out(row: HoldingValue) -> HoldingOut:
    h = row.holding
    return HoldingOut(
        **{name: getattr(h, name) for name in ("id", "symbol", "exchange", "name", "sector")},
        quantity=float(h.quantity),
        avg_price=float(h.avg_price),
        buy_date=h.buy_date,
        notes=h.notes,
        **{
            name: getattr(row, name)
            for name in (
                *("invested", "last_price", "previous_close", "value", "pnl", "pnl_pct"),
                *("day_change", "day_change_pct", "weight_pct", "price_pending", "price_error"),
                *("source", "as_of"),
            )
        },
        created_at=h.created_at,
        updated_at=h.updated_at,
    )


def portfolio_out(valuation: Valuation) -> PortfolioOut:
    t, x = valuation.totals, valuation.xirr
    return PortfolioOut(
        source=t.source,
        as_of=t.as_of,
        demo=valuation.demo,
        notice=DEMO_NOTICE if valuation.demo else None,
        holdings=[holding_out(row) for row in valuation.holdings],
        totals=TotalsOut(**{name: getattr(t, name) for name in TotalsOut.model_fields}),
        sector_allocation=[
            SectorOut(**{name: getattr(s, name) for name in SectorOut.model_fields})
            for s in valuation.sectors
        ],
        xirr=XirrOut(rate_pct=x.rate_pct, reason=x.reason, source=x.source, as_of=x.as_of),
    )


def refresh_out(run: JobRun) -> RefreshJobOut:
    status = {JobState.QUEUED: "queued", JobState.RUNNING: "running"}.get(run.state)
    if status is None:
        status = "failed" if run.outcome == JobOutcome.FAILED else "done"
    detail = run.detail or {}
    counts = {
        k: detail[k] for k in ("symbols", "refreshed", "failed", "alerts_fired") if k in detail
    }
    return RefreshJobOut(
        job_id=run.id,
        status=status,  # type: ignore[arg-type]
        outcome=run.outcome.value if run.outcome else None,
        requested_at=run.queued_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        errors=detail.get("errors") or {},
        reason=detail.get("reason") or detail.get("error"),
        poll_url=f"/portfolio/update-prices/{run.id}",
        **counts,
    )


def today_ist() -> date:
    return datetime.now(IST).date()


def refresh_enqueuer() -> Enqueue:
    # Imported on use: the broker connects to Redis when its module loads.
    from workers.portfolio import enqueue_refresh

    return enqueue_refresh


async def _valued(db: Db, user: CurrentUser, holding_id: uuid.UUID) -> HoldingOut:
    """The holding as GET shows it; read before its refresh is queued, so a
    quick worker cannot make `price_pending` depend on timing."""
    valuation = await service.portfolio_value(db, user.id, today_ist())
    return holding_out(next(r for r in valuation.holdings if r.holding.id == holding_id))


class PortfolioController(Controller):
    path = "/portfolio"
    tags = ["portfolio"]
    dependencies = {"user": Provide(provide_user)}
    security = [{"BearerToken": []}]

    @get("/")
    async def get_portfolio(self, db: Db, user: CurrentUser) -> PortfolioOut:
        """Holdings valued at the latest refreshed prices, totals, sectors and XIRR."""
        return portfolio_out(await service.portfolio_value(db, user.id, today_ist()))

    @post("/", status_code=201)
    async def add_holding(
        self, data: JSONBody[HoldingIn], db: Db, user: CurrentUser, state: State
    ) -> HoldingOut:
        """Add a holding; its price is fetched in the background (`refresh_job_id`)."""
        holding = await service.add_holding(
            db,
            user.id,
            service.HoldingInput(**data.model_dump()),
            symbol_resolver(state),
            today_ist(),
        )
        out = await _valued(db, user, holding.id)
        key = {(holding.symbol, holding.exchange)}
        run = await request_refresh(db, user.id, key, refresh_enqueuer(), must_queue=False)
        out.refresh_job_id = run.id
        return out

    @put("/{portfolio_id:uuid}")
    async def update_holding(
        self,
        portfolio_id: FromPath[uuid.UUID],
        data: JSONBody[HoldingUpdateIn],
        db: Db,
        user: CurrentUser,
        state: State,
    ) -> HoldingOut:
        """Change a holding; fields left out stay as they are."""
        holding = await service.owned_holding(db, user.id, portfolio_id)
        changes = service.HoldingInput(**data.model_dump(exclude_unset=True))
        moved = await service.update_holding(
            db, holding, changes, symbol_resolver(state), today_ist()
        )
        out = await _valued(db, user, holding.id)
        if moved:
            key = {(holding.symbol, holding.exchange)}
            run = await request_refresh(db, user.id, key, refresh_enqueuer(), must_queue=False)
            out.refresh_job_id = run.id
        else:
            await db.commit()
        return out

    @delete("/{portfolio_id:uuid}", status_code=204)
    async def delete_holding(
        self, portfolio_id: FromPath[uuid.UUID], db: Db, user: CurrentUser
    ) -> None:
        """Remove a holding."""
        await service.delete_holding(db, await service.owned_holding(db, user.id, portfolio_id))

    @post("/update-prices", status_code=202)
    async def update_prices(self, db: Db, user: CurrentUser) -> RefreshJobOut:
        """Queue a refresh of your holdings' and alerts' prices; poll `poll_url`.
        While one you asked for is still queued or running, that one is returned."""
        keys = await universe(db, user.id)
        run = await request_refresh(db, user.id, keys, refresh_enqueuer(), reuse_open=True)
        return refresh_out(run)

    @get("/update-prices/{job_id:uuid}")
    async def refresh_status(
        self, job_id: FromPath[uuid.UUID], db: Db, user: CurrentUser
    ) -> RefreshJobOut:
        """A refresh you asked for: queued, running, done or failed, with counts."""
        run = await get_run(db, job_id)
        if run is None or run.job != REFRESH_PRICES or run.requested_by != user.id:
            raise NotFound("No price refresh with this id")
        return refresh_out(run)


def symbol_resolver(state: State) -> Resolver:
    return resolver_for(state.settings.market.data_source)
