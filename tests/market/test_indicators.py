import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
import talib

from domain.market import indicators as ind
from domain.market.demo import DemoSource
from domain.market.instruments import resolve


@pytest.fixture(scope="module")
def bars():
    return DemoSource(end=date(2026, 12, 3)).history(resolve("TCS"), "2y").frame


def _frame(closes, volumes=None, start="2026-01-05"):
    closes = np.asarray(closes, dtype=float)
    volumes = np.full(closes.size, 1000.0) if volumes is None else np.asarray(volumes, float)
    index = pd.bdate_range(start, periods=closes.size, name="Date")
    return pd.DataFrame(
        {
            "Open": closes,
            "High": closes * 1.01,
            "Low": closes * 0.99,
            "Close": closes,
            "Volume": volumes,
        },
        index=index,
    )


def test_indicators_match_talib_called_directly(bars):
    c, h, lo, v = (bars[col].to_numpy() for col in ("Close", "High", "Low", "Volume"))
    same = np.testing.assert_array_equal

    same(ind.sma(bars["Close"], 50), talib.SMA(c, 50))
    same(ind.ema(bars["Close"], 12), talib.EMA(c, 12))
    same(ind.rsi(bars["Close"]), talib.RSI(c, 14))
    for ours, theirs in zip(ind.macd(c), talib.MACD(c, 12, 26, 9), strict=True):
        same(ours, theirs)
    for ours, theirs in zip(ind.bollinger(c), talib.BBANDS(c, 20, 2.0, 2.0, 0), strict=True):
        same(ours, theirs)
    same(ind.atr(h, lo, c), talib.ATR(h, lo, c, 14))
    same(ind.obv(c, v), talib.OBV(c, v))


def test_snapshot_holds_the_last_values(bars):
    snap = ind.technicals(bars)
    c = bars["Close"].to_numpy()

    assert snap.date == bars.index[-1].date()
    assert snap.sma_200 == pytest.approx(talib.SMA(c, 200)[-1])
    assert snap.rsi_14 == pytest.approx(talib.RSI(c, 14)[-1])
    assert snap.macd_signal == pytest.approx(talib.MACD(c, 12, 26, 9)[1][-1])
    assert snap.bb_lower < snap.bb_middle < snap.bb_upper


def test_unfilled_windows_are_none_not_numbers(bars):
    snap = ind.technicals(bars.tail(60))

    assert snap.sma_50 is not None
    assert snap.sma_200 is None
    assert ind.technicals(bars.iloc[:0]).close is None


def test_series_keep_nan_until_converted_to_none(bars):
    series = ind.technical_series(bars.tail(30))
    values = ind.to_list(series["sma_20"])

    assert math.isnan(series["sma_20"].iloc[0])
    assert values[:19] == [None] * 19
    assert all(isinstance(v, float) for v in values[19:])


def test_annual_volatility_is_daily_log_sigma_times_root_252(bars):
    metrics = ind.volatility(bars)
    log_returns = np.diff(np.log(bars["Close"].to_numpy()))

    assert metrics.annual_volatility == pytest.approx(np.std(log_returns, ddof=1) * math.sqrt(252))
    assert metrics.observations == len(bars) - 1
    assert metrics.risk_free_rate == ind.DEFAULT_RISK_FREE_RATE
    assert metrics.beta is None  # no index given


def test_max_drawdown_finds_the_worst_fall_and_its_dates():
    closes = [100, 120, 90, 110, 130, 117] + [130] * 20
    metrics = ind.volatility(_frame(closes))

    assert metrics.max_drawdown == pytest.approx(90 / 120 - 1)
    assert metrics.drawdown_peak == date(2026, 1, 6)
    assert metrics.drawdown_trough == date(2026, 1, 7)


def test_beta_of_a_levered_copy_of_the_index():
    rng = np.random.default_rng(7)
    market = rng.normal(0, 0.01, 120)
    index = _frame(100 * np.cumprod(1 + market))
    stock = _frame(50 * np.cumprod(1 + 1.5 * market))

    assert ind.volatility(stock, index).beta == pytest.approx(1.5)


def test_beta_aligns_on_common_dates_only():
    rng = np.random.default_rng(8)
    market = rng.normal(0, 0.01, 120)
    index = _frame(100 * np.cumprod(1 + market))
    stock = _frame(50 * np.cumprod(1 + 2.0 * market)).drop(index.index[[10, 40]])
    # Pairing by position would shift every return after the first gap; pairing
    # by date must equal dropping the same days from the index by hand.
    trimmed = index.drop(index.index[[10, 40]])

    assert ind.volatility(stock, index).beta == pytest.approx(ind.volatility(stock, trimmed).beta)


def test_sharpe_uses_the_risk_free_rate():
    rng = np.random.default_rng(9)
    closes = 100 * np.cumprod(1 + rng.normal(0.001, 0.01, 250))
    low, high = (ind.volatility(_frame(closes), risk_free_rate=r).sharpe_ratio for r in (0.0, 0.10))

    assert low > high


def test_too_little_or_flat_data_gives_none():
    short = ind.volatility(_frame([100, 101, 102]))
    flat = ind.volatility(_frame([100.0] * 40))

    assert short.annual_volatility is None and short.sharpe_ratio is None
    assert flat.annual_volatility == 0.0
    assert flat.sharpe_ratio is None


def test_volume_trend_compares_averages_and_up_down_days():
    closes = [100 + (i % 2) for i in range(60)]  # alternating up and down days
    volumes = [1000.0] * 40 + [2000.0 if i % 2 else 1000.0 for i in range(20)]
    trend = ind.volume_trend(_frame(closes, volumes))

    assert trend.avg_volume_20 == pytest.approx(1500)
    assert trend.avg_volume_50 == pytest.approx((30 * 1000 + 20 * 1500) / 50)
    assert trend.trend == "rising"
    assert trend.up_day_avg_volume > trend.down_day_avg_volume


def test_liquidity_measures_traded_value_amihud_and_turnover():
    frame = _frame([100, 102, 100, 101], [1000, 2000, 1000, 3000])
    metrics = ind.liquidity(frame, shares_outstanding=100_000, window_days=3)
    traded = np.array([102 * 2000, 100 * 1000, 101 * 3000])
    moves = np.abs([0.02, 2 / 102, 0.01])

    assert metrics.window_days == 3
    assert metrics.avg_daily_volume == pytest.approx(2000)
    assert metrics.avg_daily_traded_value == pytest.approx(traded.mean())
    assert metrics.amihud_per_crore == pytest.approx(np.mean(moves / traded) * 1e7)
    assert metrics.turnover_ratio == pytest.approx(0.02)
    assert ind.liquidity(frame).turnover_ratio is None


def test_index_without_volume_has_no_liquidity_figures():
    frame = _frame([100, 101, 102, 103], [np.nan] * 4)
    metrics = ind.liquidity(frame, shares_outstanding=1e6)

    assert metrics.avg_daily_volume is None
    assert metrics.avg_daily_traded_value is None
    assert metrics.amihud_per_crore is None
    assert metrics.turnover_ratio is None
    assert ind.volume_trend(frame).trend is None
