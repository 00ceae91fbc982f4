"""Portfolios: holdings, the price snapshots the refresh job writes, valuation
(P&L, weights, sectors, XIRR) and the periodic report emails.

The web process reads prices only from `price_snapshots`; the `jobs` workers
are the only callers of a market source here (DESIGN.md, "Processes").
"""
