"""gov_compliance: ownership, officers, governance risk, insider trades.

Yahoo carries ownership, officers and ISS governance risk deciles; it has no
promoter pledging, board of directors, auditor, related-party or regulatory
filing data for Indian companies, and neither has the demo market. Those
figures are always listed under `unavailable`, never estimated.

Run alone: `python -m mcp_servers.gov_compliance` (stdio) or `--http --port N`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_servers import _governance as gov
from mcp_servers._args import NewsLimit, Symbol
from mcp_servers._results import Report, not_reported, records
from mcp_servers._run import main
from mcp_servers._tooling import market_tool, new_server, optional, resolved

server = new_server(
    "gov_compliance",
    "Promoter and institutional ownership, key officers, governance risk scores and "
    "insider trades for NSE/BSE companies. Figures no connected source publishes "
    "(pledging, board make-up, auditor, related-party deals, regulatory filings) are "
    "reported as unavailable with the reason.",
)
tool = market_tool(server)

_NO_FILINGS = (
    "{source} does not publish this for Indian companies and no NSE/BSE filings source "
    "is connected; see the company's {where}"
)
_HOLDER_COLUMNS = {"Holder": "holder", "pctHeld": "pct_held", "Shares": "shares", "Value": "value"}


def _no_filings(report: Report, keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        report.missing(key, _NO_FILINGS.format(source=report.source, where=where))


@tool
def fetch_promoter_holding_data(symbol: Symbol) -> dict[str, Any]:
    """Promoter (insider) shareholding and recent promoter-group trades; pledging
    is reported as unavailable because no connected source publishes it."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    holders = report.seen(market.holders(inst))
    report.put("promoter_and_insider_pct", holders.insiders_pct, not_reported(holders.source))
    trades = optional(report, "promoter_group_trades", lambda: market.insider_transactions(inst))
    if trades is not None and "Position" in trades.frame.columns:
        promoter = trades.frame[
            trades.frame["Position"].str.contains("promoter", case=False, na=False)
        ]
        report.data["promoter_group_trades"] = gov.insider_summary(promoter, len(promoter))
    _no_filings(
        report,
        ("promoter_pledged_pct", "pledged_shares", "promoter_holding_trend"),
        "quarterly shareholding pattern and SAST pledge disclosures on NSE/BSE",
    )
    return report.build(
        method="promoter_and_insider_pct is the source's insider share, where promoter "
        f"holdings of Indian listings appear; promoter_group_trades: {gov.INSIDER_METHOD}"
    )


@tool
def fetch_board_composition(symbol: Symbol) -> dict[str, Any]:
    """Key officers as the source lists them and the board-structure risk decile;
    board size and independence are reported as unavailable."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    data = report.seen(market.governance(inst))
    if data.officers:
        report.data["key_officers"] = list(data.officers)
    else:
        report.missing("key_officers", not_reported(data.source))
    report.put("board_risk", data.board_risk, not_reported(data.source))
    _no_filings(
        report,
        ("board_size", "independent_directors", "women_directors", "independence_pct"),
        "annual report (corporate governance section)",
    )
    return report.build(method="board_risk: ISS decile via Yahoo, 1 = lowest risk, 10 = highest")


@tool
def fetch_audit_quality(symbol: Symbol) -> dict[str, Any]:
    """The audit risk decile from the governance scores; auditor name, opinion,
    tenure and fees are reported as unavailable."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    data = report.seen(market.governance(inst))
    report.put("audit_risk", data.audit_risk, not_reported(data.source))
    report.put("audit_risk_band", gov.band(data.audit_risk), not_reported(data.source))
    report.put("scores_as_of", data.scores_as_of, not_reported(data.source))
    _no_filings(
        report,
        ("auditor", "audit_opinion", "auditor_tenure_years", "audit_fees", "qualifications"),
        "annual report (independent auditor's report)",
    )
    return report.build(method="audit_risk: ISS decile via Yahoo, 1 = lowest risk, 10 = highest")


@tool
def fetch_regulatory_compliance(symbol: Symbol, limit: NewsLimit = 20) -> dict[str, Any]:
    """Recent headlines about regulators, probes, penalties or litigation; SEBI
    orders and exchange filings are reported as unavailable."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    report.data["headlines_scanned"] = len(feed.items)
    report.data["regulatory_headlines"] = gov.matching(feed.items, gov.REGULATORY)
    _no_filings(
        report,
        ("sebi_orders", "exchange_penalties", "filing_compliance", "pending_litigation"),
        "SEBI orders and NSE/BSE compliance filings",
    )
    return report.build(
        method="regulatory_headlines = recent headlines matching regulator, probe, penalty, "
        "court or litigation terms; sentiment = VADER compound with a finance lexicon"
    )


@tool
def fetch_shareholding_pattern(symbol: Symbol) -> dict[str, Any]:
    """Ownership split between promoters/insiders, institutions and the rest,
    with the largest institutional holders."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    holders = report.seen(market.holders(inst))
    reason = not_reported(holders.source)
    report.put("promoter_and_insider_pct", holders.insiders_pct, reason)
    report.put("institutions_pct", holders.institutions_pct, reason)
    report.put("institutions_count", holders.institutions_count, reason)
    rest = None
    if holders.insiders_pct is not None and holders.institutions_pct is not None:
        rest = 1 - holders.insiders_pct - holders.institutions_pct
    report.put("public_and_other_pct", rest if rest is None or rest >= 0 else None, reason)
    report.data["top_institutions"] = records(holders.institutional, _HOLDER_COLUMNS)
    _no_filings(
        report,
        ("fii_pct", "dii_pct", "mutual_funds_pct", "retail_pct"),
        "quarterly shareholding pattern on NSE/BSE",
    )
    return report.build(
        method="public_and_other_pct = 1 - promoter_and_insider_pct - institutions_pct"
    )


@tool
def fetch_related_party_transactions(symbol: Symbol) -> dict[str, Any]:
    """Related-party transactions; always reported as unavailable, because no
    connected source publishes them for Indian companies."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    _no_filings(
        report,
        ("related_party_transactions", "rpt_value", "rpt_approvals"),
        "annual report (related party disclosures) and half-yearly RPT filings on NSE/BSE",
    )
    return report.build()


@tool
def fetch_governance_score(symbol: Symbol) -> dict[str, Any]:
    """A 0-100 governance score (higher is better) derived from the source's
    audit, board, compensation and shareholder-rights risk deciles."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    data = report.seen(market.governance(inst))
    result = gov.governance_score(data)
    if result["score"] is None:
        report.missing("score", f"{data.source} reports no governance risk deciles")
        result.pop("score")
    report.data.update({k: v for k, v in result.items() if v is not None})
    return report.build(method=gov.SCORE_METHOD)


@tool
def fetch_insider_transactions(
    symbol: Symbol,
    limit: Annotated[int, Field(ge=1, le=100, description="Most recent trades to list.")] = 20,
) -> dict[str, Any]:
    """Recent trades by insiders (directors, officers, promoter group) with buy
    and sell totals."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    trades = report.seen(market.insider_transactions(inst))
    report.data.update(gov.insider_summary(trades.frame, limit))
    return report.build(method=gov.INSIDER_METHOD)


if __name__ == "__main__":
    main(server, default_port=8103)
