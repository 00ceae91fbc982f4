"""Price alerts and their arming state."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, Timestamps, UuidPk


class AlertMetric(enum.StrEnum):
    PRICE = "price"
    RSI_14 = "rsi_14"
    SMA_50 = "sma_50"
    SMA_200 = "sma_200"
    DAY_CHANGE_PCT = "day_change_pct"  # percentage points: 3 means +3 %


class AlertOperator(enum.StrEnum):
    ABOVE = "above"
    BELOW = "below"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class PriceAlert(UuidPk, Timestamps, Base):
    __tablename__ = "price_alerts"
    __table_args__ = (
        Index("ix_price_alerts_symbol_exchange", "symbol", "exchange"),
        CheckConstraint("exchange IN ('NSE', 'BSE')", name="exchange_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    symbol: Mapped[str] = mapped_column(String(20))
    exchange: Mapped[str] = mapped_column(String(3))
    metric: Mapped[AlertMetric] = mapped_column(_enum(AlertMetric, "alert_metric"))
    operator: Mapped[AlertOperator] = mapped_column(_enum(AlertOperator, "alert_operator"))
    threshold: Mapped[float]
    note: Mapped[str | None] = mapped_column(String(200))
    # Armed alerts fire when their condition holds; a fired one waits for it to fail.
    armed: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    last_value: Mapped[float | None]
    last_checked_at: Mapped[datetime | None]
    last_triggered_at: Mapped[datetime | None]
