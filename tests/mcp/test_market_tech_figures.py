"""market_tech's nine tools through the MCP client, against figures computed here
(indicators with TA-Lib called directly on the demo bars)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import talib

from domain.market import resolve
from domain.settings import MarketSettings
from tests.mcp import expected as ex

pytestmark = pytest.mark.asyncio


async def test_current_price_is_the_last_bar_with_change_since_the_one_before(call, demo):
    last, previous = ex.bars(demo, "HDFCBANK").iloc[-1], ex.bars(demo, "HDFCBANK").iloc[-2]

    answer = await call("fetch_current_price_data", symbol="HDFC Bank")

    data = answer["data"]
    assert data["price"] == last["Close"] and data["previous_close"] == previous["Close"]
    assert data["change"] == pytest.approx(last["Close"] - previous["Close"])
    assert data["change_pct"] == pytest.approx(last["Close"] / previous["Close"] - 1)
    assert (data["open"], data["day_high"], data["day_low"], data["volume"]) == (
        last["Open"],
        last["High"],
        last["Low"],
        last["Volume"],
    )
    assert answer["as_of"] == ex.AS_OF and data["currency"] == "INR"


async def test_historical_prices_list_the_latest_bars_and_summarise_the_window(call, demo):
    window = ex.bars(demo, "INFY", "3mo")

    answer = await call("fetch_historical_price_data", symbol="INFY", period="3mo", max_bars=10)

    data = answer["data"]
    assert window.index[0] > window.index[-1] - pd.Timedelta(days=92)
    assert data["bar_count"] == len(window) and data["truncated"] is True
    assert [bar["date"] for bar in data["bars"]] == ex.iso(window.index[-10:])
    assert [bar["close"] for bar in data["bars"]] == window["Close"].tail(10).to_list()
    assert data["summary"]["total_return"] == pytest.approx(ex.total_return(window["Close"]))
    assert data["summary"]["high"] == window["High"].max()
    assert data["summary"]["average_volume"] == pytest.approx(window["Volume"].mean())


async def test_technical_indicators_are_ta_libs_values_on_the_last_bar(call, demo):
    frame = ex.bars(demo, "RELIANCE", "1y")
    c, h, lo, v = (frame[k].to_numpy() for k in ("Close", "High", "Low", "Volume"))
    macd, signal, hist = talib.MACD(c, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)

    answer = await call("fetch_technical_indicators", symbol="RELIANCE", period="1y")

    data = answer["data"]
    assert data["date"] == ex.iso(frame.index[-1:])[0]
    for key, values in {
        "sma_20": talib.SMA(c, 20),
        "sma_50": talib.SMA(c, 50),
        "sma_200": talib.SMA(c, 200),
        "ema_12": talib.EMA(c, 12),
        "ema_26": talib.EMA(c, 26),
        "rsi_14": talib.RSI(c, 14),
        "macd": macd,
        "macd_signal": signal,
        "macd_hist": hist,
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "atr_14": talib.ATR(h, lo, c, 14),
        "obv": talib.OBV(c, v),
    }.items():
        assert data[key] == values[-1], key
    rsi = talib.RSI(c, 14)[-1]
    zone = "overbought" if rsi > 70 else "oversold" if rsi < 30 else "neutral"
    assert data["signals"]["rsi_zone"] == zone
    assert data["signals"]["bollinger_position"] == pytest.approx(
        (c[-1] - lower[-1]) / (upper[-1] - lower[-1])
    )


async def test_volume_analysis_compares_averages_and_up_and_down_days(call, demo):
    frame = ex.bars(demo, "TITAN", "6mo")
    volume, close = frame["Volume"].to_numpy(), frame["Close"].to_numpy()
    change, later = np.diff(close)[-50:], volume[1:][-50:]
    avg_20, avg_50 = volume[-20:].mean(), volume[-50:].mean()
    obv = np.sum(np.sign(np.diff(close)) * volume[1:]) + volume[0]  # TA-Lib seeds with bar 0

    answer = await call("fetch_volume_analysis", symbol="TITAN", period="6mo")

    data = answer["data"]
    assert data["avg_volume_20"] == pytest.approx(avg_20)
    assert data["avg_volume_50"] == pytest.approx(avg_50)
    ratio = avg_20 / avg_50
    assert data["trend"] == ("rising" if ratio > 1.1 else "falling" if ratio < 0.9 else "flat")
    assert data["up_day_avg_volume"] == pytest.approx(later[change > 0].mean())
    assert data["down_day_avg_volume"] == pytest.approx(later[change < 0].mean())
    assert data["latest_vs_avg_20"] == pytest.approx(volume[-1] / avg_20)
    assert data["obv"] == pytest.approx(obv)


async def test_volatility_metrics_match_the_textbook_formulas(call, demo):
    close = ex.bars(demo, "INFY", "1y")["Close"]
    frame = ex.bars(demo, "INFY", "1y")
    rate = MarketSettings().risk_free_rate
    atr = talib.ATR(*(frame[k].to_numpy() for k in ("High", "Low", "Close")), 14)[-1]

    answer = await call("fetch_volatility_metrics", symbol="INFY", period="1y")

    data = answer["data"]
    assert data["annual_volatility"] == pytest.approx(ex.annual_volatility(close))
    assert data["annual_return"] == pytest.approx(ex.annual_return(close))
    assert data["sharpe_ratio"] == pytest.approx(ex.sharpe(close, rate))
    assert data["max_drawdown"] == pytest.approx(ex.max_drawdown(close))
    assert data["beta"] == pytest.approx(ex.beta(close, ex.nifty(demo)["Close"]))
    assert data["risk_free_rate"] == rate
    assert data["atr_14"] == pytest.approx(atr)
    assert data["atr_pct"] == pytest.approx(atr / close.iloc[-1])


async def test_comparative_performance_measures_each_stock_and_the_nifty(call, demo):
    rate = MarketSettings().risk_free_rate
    closes = {s: ex.bars(demo, s, "6mo")["Close"] for s in ("INFY", "TCS", "WIPRO")}
    index = ex.nifty(demo, "6mo")["Close"]

    answer = await call(
        "fetch_comparative_performance", symbols=["INFY", "TCS", "WIPRO"], period="6mo"
    )

    stocks = answer["data"]["stocks"]
    for symbol, close in closes.items():
        row = stocks[symbol]
        assert row["total_return"] == pytest.approx(ex.total_return(close))
        assert row["annual_volatility"] == pytest.approx(ex.annual_volatility(close))
        assert row["sharpe_ratio"] == pytest.approx(ex.sharpe(close, rate))
        assert row["max_drawdown"] == pytest.approx(ex.max_drawdown(close))
        assert row["excess_return"] == pytest.approx(
            ex.total_return(close) - ex.total_return(index)
        )
    ranked = sorted(closes, key=lambda s: ex.total_return(closes[s]), reverse=True)
    assert answer["data"]["ranking"] == ranked
    assert answer["data"]["benchmark"]["total_return"] == pytest.approx(ex.total_return(index))


async def test_institutional_holdings_come_from_the_holders_table(call, demo):
    holders = demo.holders(resolve("HDFCBANK"))

    answer = await call("fetch_institutional_holding_data", symbol="HDFCBANK")

    data = answer["data"]
    assert data["institutions_pct"] == holders.institutions_pct
    assert data["institutions_count"] == holders.institutions_count
    top = holders.institutional
    assert [h["holder"] for h in data["top_holders"]] == top["Holder"].to_list()
    assert [h["pct_held"] for h in data["top_holders"]] == top["pctHeld"].to_list()
    assert [h["value"] for h in data["top_holders"]] == top["Value"].to_list()
    assert {"fii_pct", "dii_pct", "mutual_funds_pct"} <= set(answer["unavailable"])


async def test_liquidity_averages_volume_value_and_price_impact_over_the_window(call, demo):
    sbin = resolve("SBIN")
    frame = ex.bars(demo, "SBIN", "6mo").tail(11)
    close, volume = frame["Close"].to_numpy(), frame["Volume"].to_numpy()
    traded = (close * volume)[1:]
    moves = np.abs(np.diff(close) / close[:-1])

    answer = await call("fetch_liquidity_metrics", symbol="SBIN", window_days=10)

    data = answer["data"]
    assert data["window_days"] == 10
    assert data["avg_daily_volume"] == pytest.approx(volume[1:].mean())
    assert data["avg_daily_traded_value"] == pytest.approx(traded.mean())
    assert data["amihud_per_crore"] == pytest.approx((moves / traded * 1e7).mean())
    assert data["turnover_ratio"] == pytest.approx(volume[1:].mean() / sbin.shares)
    assert {"bid_ask_spread", "impact_cost"} <= set(answer["unavailable"])


@pytest.mark.parametrize(("period", "short"), [("1y", []), ("3mo", ["sma_200"])])
async def test_technical_data_check_finds_clean_demo_bars_and_short_windows(
    call, demo, period, short
):
    frame = ex.bars(demo, "ITC", period)
    gaps = np.diff(frame.index.to_numpy()).astype("timedelta64[D]").astype(int)
    moves = frame["Close"].pct_change().abs()

    answer = await call("validate_technical_data", symbol="ITC", period=period)

    data = answer["data"]
    assert data["bar_count"] == len(frame)
    assert (data["first_date"], data["last_date"]) == tuple(ex.iso(frame.index[[0, -1]]))
    assert gaps.max() <= 5 and data["gaps"] == []
    assert (moves > 0.2).sum() == 0 and data["extreme_moves"] == []
    assert data["missing_values"] == dict.fromkeys(frame.columns, 0)
    assert data["stale"] is False and data["ok"] is True and data["issues"] == []
    assert [text.split()[0] for text in data["limitations"]] == short


@pytest.fixture
def rising(demo, monkeypatch):
    """Demo bars whose closes only ever rise."""
    real = demo.history

    def history(instrument, period="1y"):
        bars = real(instrument, period)
        frame = bars.frame.copy()
        frame["Close"] = np.linspace(100.0, 200.0, len(frame))
        return dataclasses.replace(bars, frame=frame)

    monkeypatch.setattr(demo, "history", history)


async def test_a_window_without_a_fall_has_a_zero_drawdown_and_says_why_no_dates(call, rising):
    answer = await call("fetch_volatility_metrics", symbol="INFY", period="1y")

    assert answer["data"]["max_drawdown"] == 0
    assert "never fell" in answer["unavailable"]["drawdown_peak"]


async def test_a_window_without_down_days_says_so_rather_than_too_few_bars(call, rising):
    answer = await call("fetch_volume_analysis", symbol="INFY", period="1y")

    assert answer["data"]["up_day_avg_volume"] > 0
    assert answer["unavailable"]["down_day_avg_volume"] == (
        "no down days with volume in the last 50 sessions"
    )
    assert "both up days and down days" in answer["unavailable"]["up_down_ratio"]
