"""gov_compliance's eight tools through the MCP client, against figures computed
here from the demo's holders, officers, risk deciles, trades and headlines."""

import pytest

from domain.market import resolve
from tests.mcp import expected as ex

pytestmark = pytest.mark.asyncio

NO_FILINGS = "no NSE/BSE filings source is connected"


def _band(decile):
    return "low risk" if decile <= 3 else "moderate risk" if decile <= 7 else "high risk"


def _trades(frame):
    """(buys, sells, bought value, sold value, net shares) from the trade texts."""
    buys = frame[frame["Text"].str.startswith("Purchase")]
    sells = frame[frame["Text"].str.startswith("Sale")]
    net = buys["Shares"].sum() - sells["Shares"].sum()
    return len(buys), len(sells), buys["Value"].sum(), sells["Value"].sum(), net


async def test_promoter_holding_is_the_insider_share_and_promoter_group_trades(call, demo):
    steel = resolve("TATASTEEL")
    trades = demo.insider_transactions(steel).frame
    promoter = trades[trades["Position"] == "Promoter Group"]

    answer = await call("fetch_promoter_holding_data", symbol="Tata Steel")

    data = answer["data"]
    assert data["promoter_and_insider_pct"] == demo.holders(steel).insiders_pct
    group = data["promoter_group_trades"]
    assert len(promoter) == 4 and len(group["transactions"]) == 4
    assert [t["insider"] for t in group["transactions"]] == promoter["Insider"].to_list()
    buys, sells, bought, sold, net = _trades(promoter)
    assert (group["buys"], group["sells"]) == (buys, sells)
    assert group["bought_value"] == pytest.approx(bought)
    assert group["sold_value"] == pytest.approx(sold)
    assert group["net_shares"] == pytest.approx(net)
    for key in ("promoter_pledged_pct", "pledged_shares", "promoter_holding_trend"):
        assert NO_FILINGS in answer["unavailable"][key]


async def test_board_composition_lists_the_officers_and_board_risk(call, demo):
    gov = demo.governance(resolve("LT"))

    answer = await call("fetch_board_composition", symbol="Larsen & Toubro")

    officers = answer["data"]["key_officers"]
    assert [(o["name"], o["title"], o["age"]) for o in officers] == [
        (o.name, o.title, o.age) for o in gov.officers
    ]
    assert answer["data"]["board_risk"] == gov.board_risk
    assert {"board_size", "independent_directors", "women_directors"} <= set(answer["unavailable"])


async def test_audit_quality_is_the_audit_risk_decile_and_its_band(call, demo):
    gov = demo.governance(resolve("BHARTIARTL"))

    answer = await call("fetch_audit_quality", symbol="BHARTIARTL")

    assert answer["data"]["audit_risk"] == gov.audit_risk
    assert answer["data"]["audit_risk_band"] == _band(gov.audit_risk)
    assert answer["data"]["scores_as_of"] == gov.scores_as_of.isoformat()
    assert "auditor" in answer["unavailable"] and "auditor" not in answer["data"]


async def test_regulatory_compliance_picks_the_probe_and_penalty_headlines(call, demo):
    items = demo.news(resolve("ASIANPAINT"), 20).items
    regulatory = [
        i.title for i in items if "regulator opens probe" in i.title or "faces penalty" in i.title
    ]

    answer = await call("fetch_regulatory_compliance", symbol="ASIANPAINT")

    found = answer["data"]["regulatory_headlines"]
    assert answer["data"]["headlines_scanned"] == len(items)
    assert [h["title"] for h in found] == regulatory and len(regulatory) == 2
    for headline in found:
        assert headline["sentiment"] == ex.vader(headline["title"])["compound"]
    assert NO_FILINGS in answer["unavailable"]["sebi_orders"]


async def test_shareholding_pattern_leaves_the_rest_to_the_public(call, demo):
    holders = demo.holders(resolve("KOTAKBANK"))

    answer = await call("fetch_shareholding_pattern", symbol="Kotak Mahindra Bank")

    data = answer["data"]
    assert data["promoter_and_insider_pct"] == holders.insiders_pct
    assert data["institutions_pct"] == holders.institutions_pct
    assert data["public_and_other_pct"] == pytest.approx(
        1 - holders.insiders_pct - holders.institutions_pct
    )
    assert [h["shares"] for h in data["top_institutions"]] == (
        holders.institutional["Shares"].to_list()
    )
    assert {"fii_pct", "dii_pct", "mutual_funds_pct", "retail_pct"} <= set(answer["unavailable"])


async def test_related_party_transactions_are_only_ever_unavailable(call):
    answer = await call("fetch_related_party_transactions", symbol="ADANIENT")

    assert answer["data"] == {}
    assert set(answer["unavailable"]) == {
        "related_party_transactions",
        "rpt_value",
        "rpt_approvals",
    }
    assert all(NO_FILINGS in reason for reason in answer["unavailable"].values())


async def test_governance_score_maps_each_decile_to_0_to_100(call, demo):
    gov = demo.governance(resolve("NESTLEIND"))
    deciles = {
        "audit_risk": gov.audit_risk,
        "board_risk": gov.board_risk,
        "compensation_risk": gov.compensation_risk,
        "shareholder_rights_risk": gov.shareholder_rights_risk,
    }

    answer = await call("fetch_governance_score", symbol="NESTLEIND")

    data = answer["data"]
    assert data["score"] == round(100 * (10 - gov.overall_risk) / 9, 1)
    assert data["basis"] == "overall_risk" and data["band"] == _band(gov.overall_risk)
    assert data["components"] == {k: round(100 * (10 - d) / 9, 1) for k, d in deciles.items()}
    assert data["deciles"] == {**deciles, "overall_risk": gov.overall_risk}


async def test_insider_transactions_list_the_latest_trades_with_totals(call, demo):
    frame = demo.insider_transactions(resolve("ULTRACEMCO")).frame.head(3)

    answer = await call("fetch_insider_transactions", symbol="ULTRACEMCO", limit=3)

    data = answer["data"]
    assert [t["date"] for t in data["transactions"]] == ex.iso(frame["Start Date"])
    assert [t["value"] for t in data["transactions"]] == frame["Value"].to_list()
    kinds = ["buy" if text.startswith("Purchase") else "sell" for text in frame["Text"]]
    assert [t["kind"] for t in data["transactions"]] == kinds
    buys, sells, bought, sold, net = _trades(frame)
    assert (data["buys"], data["sells"]) == (buys, sells)
    assert data["bought_value"] == pytest.approx(bought)
    assert data["sold_value"] == pytest.approx(sold)
    assert data["net_shares"] == pytest.approx(net)
