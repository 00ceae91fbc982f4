"""market_tech: prices, technical indicators, volume, volatility, liquidity and
institutional holdings. Indicators are TA-Lib's, via domain.market.indicators.

Run alone: `python -m mcp_servers.market_tech` (stdio) or `--http --port N`.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import Field

from domain.market import indicators
from mcp_servers import _prices as prices
from mcp_servers import _quality as quality
from mcp_servers._args import Period, Symbol, Symbols
from mcp_servers._results import Report, not_reported, records
from mcp_servers._run import main
from mcp_servers._tooling import dedupe, market_tool, new_server, optional, resolved
from mcp_servers.context import get_market, market_settings

server = new_server(
    "market_tech",
    "Prices, TA-Lib technical indicators, volume, volatility, liquidity and "
    "institutional holdings for NSE/BSE stocks. Returns are fractions (0.05 = 5 %).",
)
tool = market_tool(server)

_NOT_COMPUTABLE = (
    "too few bars in the {period} window ({bars}) for this look-back; use a longer period"
)
# OBV is a running total, so one bar without volume leaves it unknown from there on.
_OBV_GAP = "the source gave no volume for {days} bar(s) in the window, so OBV cannot be summed"
_NO_DRAWDOWN = "closes never fell below an earlier peak in the window"
_HOLDER_COLUMNS = {
    "Holder": "holder",
    "pctHeld": "pct_held",
    "Shares": "shares",
    "Value": "value",
    "pctChange": "pct_change",
    "Date Reported": "date_reported",
}


@tool
def fetch_current_price_data(symbol: Symbol) -> dict[str, Any]:
    """Latest price with change since the previous close, the day's open, high,
    low and volume."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    quote = report.seen(market.quote(inst))
    reason = not_reported(quote.source)
    report.data.update(price=quote.price, currency=quote.currency)
    for key in (
        "previous_close",
        "change",
        "change_pct",
        "open",
        "day_high",
        "day_low",
        "volume",
        "market_time",
    ):
        report.put(key, getattr(quote, key), reason)
    return report.build()


@tool
def fetch_historical_price_data(
    symbol: Symbol,
    period: Period = "1y",
    max_bars: Annotated[
        int,
        Field(
            ge=1,
            le=2000,
            description="Most recent daily bars to list; the summary covers the whole window.",
        ),
    ] = 60,
) -> dict[str, Any]:
    """Daily OHLCV bars over a window, with the window's return, high, low and
    average volume."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    frame = history.frame
    report.data.update(
        period=period,
        bar_count=len(frame),
        truncated=len(frame) > max_bars,
        summary={
            "total_return": prices.total_return(frame),
            "high": frame["High"].max(),
            "low": frame["Low"].min(),
            "average_volume": frame["Volume"].mean(),
        },
        bars=prices.bars(frame.tail(max_bars)),
    )
    return report.build(method="total_return = last close / first close - 1 over the window")


@tool
def fetch_technical_indicators(symbol: Symbol, period: Period = "1y") -> dict[str, Any]:
    """SMA 20/50/200, EMA 12/26, RSI 14, MACD (12, 26, 9), Bollinger Bands (20, 2),
    ATR 14 and OBV on the latest bar, with simple signal readings."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    snap = indicators.technicals(history)
    reason = _NOT_COMPUTABLE.format(period=period, bars=len(history.frame))
    obv_reason = _obv_reason(history.frame) or reason
    for key, value in dataclasses.asdict(snap).items():
        report.put(key, value, obv_reason if key == "obv" else reason)
    report.data["signals"] = _signals(snap)
    return report.build(
        method="TA-Lib on daily closes, values on the last bar: SMA/EMA n-day, Wilder RSI, "
        "MACD(12,26,9), Bollinger(20, 2 population stdev), Wilder ATR(14), OBV; RSI > 70 "
        "overbought, < 30 oversold; bollinger_position 0 = lower band, 1 = upper band"
    )


@tool
def fetch_volume_analysis(symbol: Symbol, period: Period = "6mo") -> dict[str, Any]:
    """Whether trading volume is rising or falling (20- vs 50-day average) and
    whether it comes on up days or down days."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    trend = indicators.volume_trend(history)
    reasons = _volume_reasons(history.frame, period, trend.window_days)
    for key, value in dataclasses.asdict(trend).items():
        report.put(key, value, reasons.get(key, reasons["default"]))
    volume = history.frame["Volume"]
    latest = indicators.clean(volume.iloc[-1])
    report.put("latest_volume", latest, reasons["latest"])
    report.put(
        "latest_vs_avg_20",
        indicators.clean(latest / trend.avg_volume_20)
        if latest is not None and trend.avg_volume_20
        else None,
        reasons["latest"] if latest is None else reasons["default"],
    )
    obv = indicators.clean(indicators.obv(history.frame["Close"], volume)[-1])
    report.put("obv", obv, _obv_reason(history.frame) or reasons["default"])
    return report.build(
        method="trend: rising if 20-day / 50-day average volume > 1.1, falling if < 0.9, "
        "else flat; up/down-day averages over the last window_days sessions"
    )


@tool
def fetch_volatility_metrics(symbol: Symbol, period: Period = "1y") -> dict[str, Any]:
    """Annualised volatility and return, Sharpe ratio, beta against the NIFTY 50,
    maximum drawdown and ATR over a window."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    index = optional(report, "beta", lambda: market.index_history(period=period))
    rate = market_settings().risk_free_rate
    risk = indicators.volatility(history, index, risk_free_rate=rate)
    reason = _NOT_COMPUTABLE.format(period=period, bars=len(history.frame))
    for key, value in dataclasses.asdict(risk).items():
        if key not in report.unavailable:
            flat = key.startswith("drawdown_") and risk.max_drawdown == 0
            report.put(key, value, _NO_DRAWDOWN if flat else reason)
    snap = indicators.technicals(history)
    report.put("atr_14", snap.atr_14, reason)
    report.put("atr_pct", snap.atr_14 / snap.close if snap.atr_14 and snap.close else None, reason)
    return report.build(
        method=f"{prices.PERFORMANCE_METHOD}; beta = cov/var of daily returns against "
        "NIFTY 50 (^NSEI) on common dates; atr_pct = ATR(14) / last close"
    )


@tool
def fetch_comparative_performance(symbols: Symbols, period: Period = "1y") -> dict[str, Any]:
    """Compare several stocks' return, volatility, Sharpe ratio and drawdown over
    one window, against the NIFTY 50 as benchmark."""
    market = get_market()
    report = Report(market)
    rate = market_settings().risk_free_rate
    stocks = {
        name: prices.performance(report.seen(history), rate)
        for name, history in prices.histories(market, dedupe(symbols), period)
    }
    index = optional(report, "benchmark", lambda: market.index_history(period=period))
    if index is not None:
        bench = prices.performance(index, rate)
        report.data["benchmark"] = {"name": prices.NIFTY_LABEL, **bench}
        for row in stocks.values():
            if row["total_return"] is not None and bench["total_return"] is not None:
                row["excess_return"] = row["total_return"] - bench["total_return"]
    report.data.update(period=period, stocks=stocks, ranking=_ranked(stocks))
    return report.build(
        method=f"{prices.PERFORMANCE_METHOD}; excess_return = total_return - NIFTY 50's",
        symbols=list(stocks),
    )


@tool
def fetch_institutional_holding_data(symbol: Symbol) -> dict[str, Any]:
    """Share of the company held by institutions, their count, and the largest
    institutional holders."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    holders = report.seen(market.holders(inst))
    reason = not_reported(holders.source)
    report.put("institutions_pct", holders.institutions_pct, reason)
    report.put("institutions_float_pct", holders.institutions_float_pct, reason)
    report.put("institutions_count", holders.institutions_count, reason)
    report.data["top_holders"] = records(holders.institutional, _HOLDER_COLUMNS)
    split = (
        f"{holders.source} does not split institutional holdings into FII, DII and mutual "
        "funds; NSE/BSE shareholding-pattern filings do, and no filings source is connected"
    )
    for key in ("fii_pct", "dii_pct", "mutual_funds_pct"):
        report.missing(key, split)
    return report.build()


@tool
def fetch_liquidity_metrics(
    symbol: Symbol,
    window_days: Annotated[
        int, Field(ge=5, le=60, description="Trading sessions to average over (5-60).")
    ] = 20,
) -> dict[str, Any]:
    """How easily the stock trades: average daily volume and traded value,
    turnover of shares outstanding, and Amihud price impact per ₹1 crore."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, "6mo"))
    facts = optional(report, "turnover_ratio", lambda: market.fundamentals(inst))
    shares = facts.shares_outstanding if facts is not None else None
    metrics = indicators.liquidity(history, shares, window_days)
    for key, value in dataclasses.asdict(metrics).items():
        if key not in report.unavailable:
            report.put(
                key,
                value,
                "needs shares outstanding" if key == "turnover_ratio" else "no traded volume",
            )
    for key in ("bid_ask_spread", "impact_cost"):
        report.missing(key, f"{history.source} has no order-book data; NSE publishes impact cost")
    return report.build(
        method="traded value = close x volume; amihud = mean |daily return| per ₹1 crore "
        "traded (higher = less liquid); turnover = average daily volume / shares outstanding"
    )


@tool
def validate_technical_data(symbol: Symbol, period: Period = "1y") -> dict[str, Any]:
    """Check a window of daily bars for quality problems (gaps, missing values,
    inconsistent bars, extreme moves, staleness) before trusting indicators."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    report.data.update(period=period, **quality.check(history))
    return report.build(method=quality.METHOD)


def _volume_reasons(frame: Any, period: str, window_days: int) -> dict[str, str]:
    """Why each volume figure may be missing: too few bars unless the bars are
    there, in which case the day kind (or the volume) is what is missing."""
    default = _NOT_COMPUTABLE.format(period=period, bars=len(frame))
    reasons = {"default": default, "latest": "the source gave no volume for the last bar"}
    if len(frame) < 2:
        return reasons
    for side in ("up", "down"):
        reasons[f"{side}_day_avg_volume"] = (
            f"no {side} days with volume in the last {window_days} sessions"
        )
    reasons["up_down_ratio"] = "needs volume on both up days and down days"
    return reasons


def _obv_reason(frame: Any) -> str | None:
    gaps = int(frame["Volume"].isna().sum())
    return _OBV_GAP.format(days=gaps) if gaps else None


def _signals(snap: indicators.TechnicalSnapshot) -> dict[str, Any]:
    signals: dict[str, Any] = {}
    if snap.rsi_14 is not None:
        signals["rsi_zone"] = (
            "overbought" if snap.rsi_14 > 70 else "oversold" if snap.rsi_14 < 30 else "neutral"
        )
    for key in ("sma_50", "sma_200"):
        average = getattr(snap, key)
        if average is not None and snap.close is not None:
            signals[f"price_vs_{key}"] = "above" if snap.close > average else "below"
    if snap.macd is not None and snap.macd_signal is not None:
        signals["macd_vs_signal"] = "above" if snap.macd > snap.macd_signal else "below"
    if None not in (snap.bb_upper, snap.bb_lower, snap.close) and snap.bb_upper != snap.bb_lower:
        signals["bollinger_position"] = (snap.close - snap.bb_lower) / (
            snap.bb_upper - snap.bb_lower
        )
    return signals


def _ranked(stocks: dict[str, dict[str, Any]]) -> list[str]:
    known = [s for s, row in stocks.items() if row["total_return"] is not None]
    return sorted(known, key=lambda s: stocks[s]["total_return"], reverse=True)


if __name__ == "__main__":
    main(server, default_port=8102)
