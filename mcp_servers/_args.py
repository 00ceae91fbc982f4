"""Argument types shared by the tools; their descriptions are what a model reads."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from domain.market import nifty50

Symbol = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        description=(
            "Company to look up: NSE ticker ('INFY'), BSE ticker ('INFY.BO'), "
            "'NSE:INFY', or the company name ('Infosys')."
        ),
    ),
]

Symbols = Annotated[
    list[str],
    Field(
        min_length=1,
        max_length=10,
        description="One to ten companies, each an NSE/BSE ticker or company name.",
    ),
]

# The names domain.market.source.HISTORY_PERIODS accepts (a test keeps them equal).
PeriodName = Literal["5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "max"]


def period_arg(purpose: str) -> object:
    return Field(
        description=(
            f"Look-back window of daily bars ending today, {purpose}: 5d, 1mo, 3mo, "
            "6mo, 1y, 2y, 5y, or max (all the source has)."
        )
    )


Period = Annotated[PeriodName, period_arg("for the analysis")]
ChartPeriod = Annotated[PeriodName, period_arg("shown on the chart")]

Frequency = Annotated[
    Literal["annual", "quarterly"],
    Field(description="Statement periods: annual (Indian fiscal years end 31 March) or quarterly."),
]

NewsLimit = Annotated[
    int, Field(ge=1, le=20, description="Most headlines to read per company, newest first.")
]

Years = Annotated[int, Field(ge=1, le=20, description="How many years back to include.")]

SECTORS: tuple[str, ...] = tuple(sorted({i.sector for i in nifty50() if i.sector}))
SectorName = Literal[SECTORS]  # type: ignore[valid-type]

Sector = Annotated[
    SectorName,
    Field(description="Sector (Yahoo's taxonomy) whose NIFTY 50 members are read."),
]
