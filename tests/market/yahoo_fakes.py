"""Stand-ins for yfinance.Ticker returning data shaped as yfinance 1.x returns it
(column names, index names, time zones, nested news payload, info keys)."""

import threading

import pandas as pd
from yfinance.exceptions import YFRateLimitError

IST = "Asia/Kolkata"

INFO = {
    "longName": "Infosys Limited",
    "shortName": "INFOSYS LIMITED",
    "currency": "INR",
    "sector": "Technology",
    "industry": "Information Technology Services",
    "currentPrice": 1500.0,
    "regularMarketPrice": 1500.0,
    "regularMarketPreviousClose": 1480.0,
    "regularMarketOpen": 1485.0,
    "regularMarketDayHigh": 1510.0,
    "regularMarketDayLow": 1479.5,
    "regularMarketVolume": 6_500_000,
    "regularMarketTime": 1_764_754_200,
    "marketCap": 6.2e12,
    "sharesOutstanding": 4_150_000_000,
    "trailingPE": 23.1,
    "forwardPE": 21.0,
    "trailingEps": 64.9,
    "forwardEps": 71.4,
    "bookValue": 215.0,
    "priceToBook": 6.98,
    "dividendRate": 43.0,
    "dividendYield": 2.87,  # percent, as Yahoo sends it since 2025
    "payoutRatio": 0.66,
    "returnOnEquity": 0.29,
    "returnOnAssets": 0.17,
    "debtToEquity": 9.4,  # percent
    "totalRevenue": 1.6e12,
    "netIncomeToCommon": 2.7e11,
    "grossMargins": 0.30,
    "operatingMargins": 0.21,
    "profitMargins": 0.17,
    "revenueGrowth": 0.08,
    "earningsGrowth": float("nan"),
    "fiftyTwoWeekHigh": 2006.45,
    "fiftyTwoWeekLow": 1307.0,
    "beta": 0.45,
    "recommendationKey": "buy",
    "numberOfAnalystOpinions": 38,
    "auditRisk": 7,
    "boardRisk": 3,
    "compensationRisk": 2,
    "shareHolderRightsRisk": 1,
    "overallRisk": 2,
    "governanceEpochDate": 1_761_955_200,
    "companyOfficers": [
        {
            "maxAge": 1,
            "name": "Mr. Example Chief",
            "age": 51,
            "title": "CEO & MD",
            "yearBorn": 1974,
            "fiscalYear": 2025,
            "totalPay": 150_000_000,
        },
        {"maxAge": 1, "name": "Ms. Example Finance", "title": "CFO", "fiscalYear": 2025},
    ],
}


def history_frame(days=30):
    index = pd.bdate_range("2026-10-01", periods=days, tz=IST, name="Date")
    close = pd.Series(range(days), index=index, dtype="float64") + 1400.0
    return pd.DataFrame(
        {
            "Open": close - 2,
            "High": close + 5,
            "Low": close - 6,
            "Close": close,
            "Volume": pd.Series(5_000_000, index=index, dtype="int64"),
            "Dividends": 0.0,
            "Stock Splits": 0.0,
        }
    )


def statement_frame(rows):
    # Oldest period first, object dtype with a None: the adapter must sort and coerce.
    columns = [pd.Timestamp("2024-03-31"), pd.Timestamp("2025-03-31")]
    return pd.DataFrame(
        {col: [rows[r][i] for r in rows] for i, col in enumerate(columns)},
        index=list(rows),
        dtype="object",
    )


class FakeTicker:
    """A healthy Yahoo answer for INFY.NS."""

    calls: list = []

    def __init__(self, symbol):
        self.ticker = symbol
        FakeTicker.calls.append(symbol)

    @property
    def info(self):
        return dict(INFO)

    def history(self, period="1mo", interval="1d", **kwargs):
        return history_frame()

    @property
    def income_stmt(self):
        return statement_frame(
            {
                "Total Revenue": [1.5e12, 1.6e12],
                "Net Income": [2.6e11, 2.7e11],
                "Diluted EPS": [62.8, None],
            }
        )

    @property
    def balance_sheet(self):
        return statement_frame({"Stockholders Equity": [8.8e11, 9.0e11]})

    @property
    def cashflow(self):
        return pd.DataFrame()

    @property
    def quarterly_income_stmt(self):
        return pd.DataFrame()

    quarterly_balance_sheet = quarterly_cashflow = quarterly_income_stmt

    @property
    def dividends(self):
        index = pd.DatetimeIndex(["2025-05-30", "2025-10-24"], tz=IST, name="Date")
        return pd.Series([22.0, 23.0], index=index, name="Dividends")

    @property
    def splits(self):
        return pd.Series(
            [],
            index=pd.DatetimeIndex([], tz=IST, name="Date"),
            name="Stock Splits",
            dtype="float64",
        )

    @property
    def major_holders(self):
        frame = pd.DataFrame(
            {"Value": [0.1433, 0.3312, 0.3866, 1131.0]},
            index=[
                "insidersPercentHeld",
                "institutionsPercentHeld",
                "institutionsFloatPercentHeld",
                "institutionsCount",
            ],
        )
        frame.columns.name = "Breakdown"
        return frame

    @property
    def institutional_holders(self):
        return pd.DataFrame(
            {
                "Date Reported": pd.to_datetime(["2025-09-30", "2025-09-30"]),
                "Holder": ["Example Fund A", "Example Fund B"],
                "pctHeld": [0.021, 0.012],
                "Shares": [87_000_000, 50_000_000],
                "Value": [1.3e11, 7.5e10],
                "pctChange": [0.01, -0.02],
            }
        )

    @property
    def insider_transactions(self):
        return pd.DataFrame(
            {
                "Shares": [1000, 5000],
                "Value": [1_500_000.0, 7_400_000.0],
                "URL": ["", ""],
                "Text": [
                    "Sale at price 1500.00 per share.",
                    "Purchase at price 1480.00 per share.",
                ],
                "Insider": ["EXAMPLE PERSON", "OTHER PERSON"],
                "Position": ["Director", "Officer"],
                "Transaction": ["", ""],
                "Start Date": pd.to_datetime(["2025-06-01", "2025-09-15"]),
                "Ownership": ["D", "D"],
            }
        )

    @property
    def recommendations(self):
        return pd.DataFrame(
            {
                "period": ["0m", "-1m"],
                "strongBuy": [8, 7],
                "buy": [20, 19],
                "hold": [8, 9],
                "sell": [2, 2],
                "strongSell": [0, 1],
            }
        )

    @property
    def analyst_price_targets(self):
        return {"current": 1500.0, "low": 1200.0, "high": 2100.0, "mean": 1750.5, "median": 1760.0}

    def get_news(self, count=10, tab="news"):
        nested = {
            "id": "a1",
            "content": {
                "title": "Infosys wins a large deal",
                "summary": "A deal summary.",
                "pubDate": "2026-12-01T04:30:00Z",
                "provider": {"displayName": "Example Wire"},
                "canonicalUrl": {"url": "https://example.com/a1"},
            },
        }
        flat = {
            "uuid": "b2",
            "title": "Infosys faces a probe",
            "publisher": "Old Wire",
            "link": "https://example.com/b2",
            "providerPublishTime": 1_764_500_000,
        }
        return [nested, flat, {"id": "c3", "content": {"title": ""}}][:count]


class EmptyTicker(FakeTicker):
    """What yfinance gives for a symbol Yahoo does not know."""

    @property
    def info(self):
        return {"trailingPegRatio": None}

    def history(self, period="1mo", interval="1d", **kwargs):
        return pd.DataFrame(columns=["Open", "High", "Low", "Close", "Volume"])

    @property
    def insider_transactions(self):
        return pd.DataFrame()

    @property
    def major_holders(self):
        return pd.DataFrame()

    @property
    def institutional_holders(self):
        return pd.DataFrame()


RELEASE = threading.Event()


class BlockingTicker(FakeTicker):
    """A stalled connection: every call waits until the test releases it."""

    @property
    def info(self):
        RELEASE.wait()
        return {}

    def history(self, period="1mo", interval="1d", **kwargs):
        RELEASE.wait()
        return history_frame()


class RateLimitedTicker(FakeTicker):
    @property
    def info(self):
        raise YFRateLimitError()

    def history(self, period="1mo", interval="1d", **kwargs):
        raise RuntimeError("HTTP Error 429: Too Many Requests")


class OfflineTicker(FakeTicker):
    @property
    def info(self):
        raise ConnectionError("Could not resolve host: query2.finance.yahoo.com")

    def history(self, period="1mo", interval="1d", **kwargs):
        # After a DNS failure yfinance itself trips over a None (FINDINGS).
        raise TypeError("'NoneType' object is not subscriptable")


# What Yahoo leaves out for many NSE/BSE listings: these keys are absent from
# .info, not None (the adapter must not KeyError, nor invent a value).
SPARSE_MISSING = (
    "trailingPE",
    "forwardPE",
    "forwardEps",
    "bookValue",
    "priceToBook",
    "beta",
    "auditRisk",
    "boardRisk",
    "compensationRisk",
    "shareHolderRightsRisk",
    "overallRisk",
    "governanceEpochDate",
    "companyOfficers",
)


class GappyTicker(FakeTicker):
    """A thinly covered listing: NaN rows in the bars (a halted session), a NaN
    volume, keys missing from .info, and a statement row that is all NaN."""

    @property
    def info(self):
        return {key: value for key, value in INFO.items() if key not in SPARSE_MISSING}

    def history(self, period="1mo", interval="1d", **kwargs):
        frame = history_frame().astype({"Volume": "float64"})
        frame.iloc[3, :5] = float("nan")  # the whole bar
        frame.iloc[5, frame.columns.get_loc("Volume")] = float("nan")
        return frame

    @property
    def income_stmt(self):
        return statement_frame(
            {
                "Total Revenue": [1.5e12, 1.6e12],
                "Net Income": [2.6e11, 2.7e11],
                "Diluted EPS": [None, None],
            }
        )


class EmptyInsidersTicker(FakeTicker):
    """A listing Yahoo has holders for but no insider trades."""

    @property
    def insider_transactions(self):
        return pd.DataFrame()
