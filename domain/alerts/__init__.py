"""Price and indicator alerts: "INFY above 1,600", "RSI 14 of TCS below 30".

The price-refresh job checks them against the fresh snapshots. An alert fires
once when its condition becomes true (one PRICE_ALERT email), then stays quiet
until the condition is false again, which re-arms it.
"""
