"""Synthetic company fundamentals that agree with each other and with prices.

Everything starts from a seeded Profile and the constituent's base price:
EPS = base price / target P/E, book value per share = EPS / ROE, dividend per
share = EPS × payout. The latest annual statement then has Net Income = EPS ×
shares and Stockholders Equity = book value × shares, and earlier periods shrink
by the profile's growth rate. Reported ratios are computed from the current
price, never drawn independently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from domain.market._demo_prices import rng_for
from domain.market.instruments import Instrument

_TAX_RATE = 0.25  # India's concessional corporate rate, rounded
_INTEREST_RATE = 0.08  # on total debt, per year
_REPORTING_LAG_DAYS = 60  # a period's figures appear about two months after it ends
_WEEKS_52_SESSIONS = 252


@dataclass(frozen=True)
class Profile:
    beta: float
    pe: float
    roe: float
    profit_margin: float
    gross_margin: float
    operating_margin: float
    payout: float
    growth: float
    debt_to_equity: float
    cash_to_equity: float
    other_liab_to_equity: float
    ocf_to_income: float
    capex_to_revenue: float

    @classmethod
    def of(cls, symbol: str) -> Profile:
        r = rng_for(symbol, "profile")
        margin = r.uniform(0.06, 0.25)
        return cls(
            beta=round(r.uniform(0.6, 1.4), 2),
            pe=r.uniform(12.0, 60.0),
            roe=r.uniform(0.08, 0.30),
            profit_margin=margin,
            gross_margin=margin + r.uniform(0.15, 0.35),
            operating_margin=margin * r.uniform(1.25, 1.6),
            payout=r.uniform(0.1, 0.6),
            growth=r.uniform(-0.05, 0.25),
            debt_to_equity=r.uniform(0.0, 1.5),
            cash_to_equity=r.uniform(0.05, 0.3),
            other_liab_to_equity=r.uniform(0.3, 1.0),
            ocf_to_income=r.uniform(1.0, 1.4),
            capex_to_revenue=r.uniform(0.02, 0.12),
        )


def per_share(inst: Instrument, profile: Profile) -> tuple[float, float, float]:
    """(EPS, book value per share, annual dividend per share), rounded to paise."""
    assert inst.base_price is not None
    eps = round(inst.base_price / profile.pe, 2)
    return eps, round(eps / profile.roe, 2), round(eps * profile.payout, 2)


def fundamentals_fields(inst: Instrument, frame: pd.DataFrame) -> dict[str, object]:
    """Keyword arguments for models.Fundamentals, minus source/as_of/symbol."""
    assert inst.shares is not None
    profile = Profile.of(inst.symbol)
    eps, bvps, dps = per_share(inst, profile)
    price = float(frame["Close"].iloc[-1])
    year = frame.tail(_WEEKS_52_SESSIONS)
    revenue = eps * inst.shares / profile.profit_margin
    equity = bvps * inst.shares
    assets = equity * (1 + profile.debt_to_equity + profile.other_liab_to_equity)
    eps_forward = round(eps * (1 + profile.growth), 2)
    return dict(
        name=inst.name,
        sector=inst.sector,
        industry=inst.industry,
        currency="INR",
        price=price,
        market_cap=price * inst.shares,
        shares_outstanding=float(inst.shares),
        pe_trailing=price / eps,
        pe_forward=price / eps_forward,
        eps_trailing=eps,
        eps_forward=eps_forward,
        book_value_per_share=bvps,
        price_to_book=price / bvps,
        dividend_rate=dps,
        dividend_yield=dps / price,
        payout_ratio=dps / eps,
        roe=eps / bvps,
        roa=eps * inst.shares / assets,
        debt_to_equity=profile.debt_to_equity,
        revenue=revenue,
        net_income=eps * inst.shares,
        gross_margin=profile.gross_margin,
        operating_margin=profile.operating_margin,
        profit_margin=profile.profit_margin,
        revenue_growth=profile.growth,
        earnings_growth=profile.growth,
        week52_high=float(year["High"].max()),
        week52_low=float(year["Low"].min()),
        beta=profile.beta,
        raw={"demo_profile": asdict(profile)},
    )


def period_ends(end: date, quarterly: bool) -> list[pd.Timestamp]:
    """The four latest reported period ends, newest first. Indian fiscal years
    end on 31 March; quarters on the last day of Jun/Sep/Dec/Mar."""
    cutoff = pd.Timestamp(end) - pd.Timedelta(days=_REPORTING_LAG_DAYS)
    freq = "QE-MAR" if quarterly else "YE-MAR"
    ends = pd.date_range(end=cutoff, periods=4, freq=freq)
    return list(ends[::-1])


def statements(
    inst: Instrument, end: date, quarterly: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(income, balance sheet, cash flow) frames shaped like yfinance's."""
    assert inst.shares is not None
    profile = Profile.of(inst.symbol)
    eps, bvps, dps = per_share(inst, profile)
    noise = rng_for(inst.symbol, "statements", str(quarterly)).normal(0, 0.04, (4, 3))
    flow = 0.25 if quarterly else 1.0  # income and cash flow cover a quarter, not a year
    columns: dict[pd.Timestamp, dict[str, dict[str, float]]] = {}
    for k, period_end in enumerate(period_ends(end, quarterly)):
        years_back = k / 4 if quarterly else float(k)
        shrink = (1 + profile.growth) ** -years_back
        wobble = np.exp(noise[k]) if k else np.ones(3)  # the latest period is exact
        net_income = eps * inst.shares * flow * shrink * wobble[0]
        margin = profile.profit_margin * wobble[1]
        equity = bvps * inst.shares * (1 + profile.roe * (1 - profile.payout)) ** -years_back
        columns[period_end] = {
            "income": _income(net_income, margin, equity, profile, inst.shares, flow),
            "balance": _balance(equity, profile, inst.shares),
            "cash": _cash(
                net_income,
                net_income / margin,
                dps * flow * shrink,
                profile,
                inst.shares,
                wobble[2],
            ),
        }
    frames = []
    for part in ("income", "balance", "cash"):
        frame = pd.DataFrame({day: parts[part] for day, parts in columns.items()})
        frames.append(frame.astype("float64"))
    return frames[0], frames[1], frames[2]


def _income(
    net_income: float, margin: float, equity: float, p: Profile, shares: int, flow: float
) -> dict[str, float]:
    revenue = net_income / margin
    gross = revenue * (p.gross_margin + margin - p.profit_margin)
    operating = revenue * margin * p.operating_margin / p.profit_margin
    interest = equity * p.debt_to_equity * _INTEREST_RATE * flow
    pretax = net_income / (1 - _TAX_RATE)
    eps = round(net_income / shares, 2)
    return {
        "Total Revenue": revenue,
        "Cost Of Revenue": revenue - gross,
        "Gross Profit": gross,
        "Operating Expense": gross - operating,
        "Operating Income": operating,
        "Interest Expense": interest,
        # Balances the bridge so Operating - Interest + Other = Pretax exactly.
        "Other Income Expense": pretax - (operating - interest),
        "Pretax Income": pretax,
        "Tax Provision": pretax - net_income,
        "Net Income": net_income,
        "Basic EPS": eps,
        "Diluted EPS": eps,
    }


def _balance(equity: float, p: Profile, shares: int) -> dict[str, float]:
    debt = equity * p.debt_to_equity
    liabilities = debt + equity * p.other_liab_to_equity
    return {
        "Total Assets": liabilities + equity,
        "Total Liabilities Net Minority Interest": liabilities,
        "Stockholders Equity": equity,
        "Total Debt": debt,
        "Cash And Cash Equivalents": equity * p.cash_to_equity,
        "Ordinary Shares Number": float(shares),
    }


def _cash(
    net_income: float, revenue: float, dps: float, p: Profile, shares: int, wobble: float
) -> dict[str, float]:
    operating = net_income * p.ocf_to_income * wobble
    capex = -revenue * p.capex_to_revenue
    dividends = -dps * shares
    return {
        "Operating Cash Flow": operating,
        "Capital Expenditure": capex,
        "Free Cash Flow": operating + capex,
        "Cash Dividends Paid": dividends,
        "Investing Cash Flow": capex * 1.1,
        "Financing Cash Flow": dividends,
    }


def dividends(inst: Instrument, dates: pd.DatetimeIndex) -> pd.Series:
    """Quarterly per-share dividends over the price window. The latest four sum
    to the annual rate (within rounding); each earlier year shrinks by growth."""
    profile = Profile.of(inst.symbol)
    _, _, dps = per_share(inst, profile)
    # Ex-dates: the last session of each calendar quarter's middle month.
    ex_dates = pd.date_range(dates[0], dates[-1], freq="BME")
    ex_dates = ex_dates[ex_dates.month % 3 == 2][::-1]
    amounts = [round(dps / 4 * (1 + profile.growth) ** -(i // 4), 2) for i in range(len(ex_dates))]
    series = pd.Series(amounts, index=ex_dates, name="Dividends", dtype="float64")
    series.index.name = "Date"
    return series.sort_index()
