"""Holdings, the latest price of each held or watched listing, and the record
of report emails already sent (one per user, frequency and period)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, Timestamps, UuidPk, utcnow

# Shares and rupees to four decimals: enough for averaged buy prices.
MONEY = Numeric(18, 4)


class Holding(UuidPk, Timestamps, Base):
    """One lot: a user may hold several lots of a symbol, bought on different days."""

    __tablename__ = "holdings"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("avg_price > 0", name="avg_price_positive"),
        CheckConstraint("exchange IN ('NSE', 'BSE')", name="exchange_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    symbol: Mapped[str] = mapped_column(String(20))
    exchange: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str | None] = mapped_column(String(80))
    quantity: Mapped[Decimal] = mapped_column(MONEY)
    avg_price: Mapped[Decimal] = mapped_column(MONEY)
    buy_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(String(500))


class PriceSnapshot(Base):
    """The last price the refresh job got for a listing. A failed refresh keeps
    the last good figures and records why in `error`."""

    __tablename__ = "price_snapshots"
    __table_args__ = (CheckConstraint("exchange IN ('NSE', 'BSE')", name="exchange_known"),)

    symbol: Mapped[str] = mapped_column(String(20), primary_key=True)
    exchange: Mapped[str] = mapped_column(String(3), primary_key=True)
    price: Mapped[float | None]
    previous_close: Mapped[float | None]
    rsi_14: Mapped[float | None]
    sma_50: Mapped[float | None]
    sma_200: Mapped[float | None]
    source: Mapped[str | None] = mapped_column(String(20))
    as_of: Mapped[datetime | None]
    refreshed_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    error: Mapped[str | None] = mapped_column(String(300))

    @property
    def day_change_pct(self) -> float | None:
        """Percentage points since the previous close."""
        if self.price is None or not self.previous_close:
            return None
        return (self.price / self.previous_close - 1.0) * 100.0


class ReportDelivery(UuidPk, Base):
    """Inserted in the transaction that queues the report email: the unique key
    makes a rerun or a redelivered job skip users already served."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "frequency", "period_key"),
        CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(10))
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-12-03, 2026-W49, 2026-12
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
