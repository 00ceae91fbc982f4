"""The answer once the tools have replied: a Markdown page per intent kind.

Every page has the same frame: a heading, a demo-data warning when any figure
is synthetic, the kind's key figures (each with source and as-of date), a
rule-based reading, what could not be fetched or is unavailable and why, and
a not-investment-advice line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.analyst import reads
from domain.analyst import sections as sec
from domain.analyst.charts import chart_page, portfolio_page
from domain.analyst.fields import figure, label
from domain.analyst.format import number, pct, provenance, table
from domain.analyst.intents import Intent
from domain.analyst.plans import MAX_COMPANIES, MAX_COMPARED, OVERVIEW_CHART, tool_symbol
from domain.analyst.results import Outcome, Results
from domain.market.instruments import Instrument

Page = tuple[str, list[str]]
DISCLAIMER = (
    "_Rule-based summary by Kubera's offline analyst, written only from the tool results "
    "above. It is not investment advice._"
)
_TOOL_TOPICS = {
    "fetch_current_price_data": "price",
    "fetch_company_fundamentals": "fundamentals",
    "fetch_technical_indicators": "technical indicators",
    "fetch_overall_news_sentiment": "news sentiment",
    "fetch_news_articles": "headlines",
    "fetch_dividend_history": "dividend history",
    "fetch_comparative_performance": "comparative performance",
    "fetch_eps_analysis": "EPS analysis",
    "fetch_historical_financials": "income statement",
    "fetch_balance_sheet_data": "balance sheet",
    "fetch_cash_flow_data": "cash flow",
    OVERVIEW_CHART: "price chart",
}


def write(intent: Intent, results: Results) -> str:
    writer = _WRITERS.get(intent.kind, _generic)
    title, body = writer(intent, results)
    lines = [f"## {title}", "", *_notices(results), *body, *_problems(results), "", DISCLAIMER]
    tidy = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(tidy) + "\n"


def _notices(results: Results) -> list[str]:
    found = []
    demo = [r for r in results.succeeded() if r.get("source") == "demo"]
    if demo:
        notice = demo[0].get("notice") or "Synthetic demo data"
        found.append(
            f"> ⚠️ **Demo data:** {notice}. The figures below come from Kubera's "
            "synthetic demo source (source: demo), not from the market."
        )
    stale = [r for r in results.succeeded() if r.get("stale")]
    if stale:
        found.append(f"> Some figures are a cached copy: {stale[0].get('stale_notice', '')}.")
    return [*found, ""] if found else []


def _problems(results: Results) -> list[str]:
    lines = []
    failed = results.failed()
    if failed:
        lines += ["", "**Could not be fetched:**"]
        lines += [f"- {_what(o)} — the tool said: {o.error}" for o in failed]
    missing = [
        (o, key, why)
        for o in results
        if o.result
        for key, why in (o.result.get("unavailable") or {}).items()
    ]
    if missing:
        lines += ["", "**Not available from the source:**"]
        lines += [f"- {label(key)} ({_what(o)}): {why}" for o, key, why in missing]
    return lines


def _what(outcome: Outcome) -> str:
    topic = _TOOL_TOPICS.get(outcome.call.name, outcome.call.name)
    return f"{topic} for {outcome.symbol}" if outcome.symbol else topic


def _name(inst: Instrument, results: Results) -> str:
    symbol = tool_symbol(inst)
    name = inst.name
    for outcome in results:
        if outcome.symbol == symbol and outcome.result and outcome.result.get("name"):
            name = outcome.result["name"]
            break
    if name == inst.symbol:  # a ticker outside the NIFTY 50 has no name of its own
        return f"{inst.symbol} ({inst.exchange})"
    return f"{name} ({inst.symbol}, {inst.exchange})"


def _per_company(
    intent: Intent,
    results: Results,
    heading: str,
    block: Callable[[str, Results], list[str]],
) -> Page:
    chosen = intent.instruments[:MAX_COMPANIES]
    if len(chosen) == 1:
        return f"{_name(chosen[0], results)} — {heading}", block(tool_symbol(chosen[0]), results)
    body: list[str] = []
    for inst in chosen:
        body += [f"### {_name(inst, results)}", "", *block(tool_symbol(inst), results), ""]
    return f"{heading.capitalize()}: " + ", ".join(i.symbol for i in chosen), body


def _figures(rows: list[sec.Row], reading: list[str]) -> list[str]:
    lines = table(sec.ROW_HEADER, rows) if rows else ["No figures came back for this."]
    if reading:
        lines += ["", "**How to read this** (rules of thumb, not a forecast):", ""]
        lines += [f"- {item}" for item in reading]
    return lines


def _overview_block(symbol: str, results: Results) -> list[str]:
    quote = results.get("fetch_current_price_data", symbol) or {}
    facts = results.get("fetch_company_fundamentals", symbol) or {}
    tech = results.get("fetch_technical_indicators", symbol) or {}
    mood = results.get("fetch_overall_news_sentiment", symbol) or {}
    rows = sec.price_rows(quote) if quote else []
    rows += sec.rows(facts, sec.VALUATION_BRIEF) + sec.rows(tech, sec.TECHNICAL_BRIEF)
    rows += sec.sentiment_rows(mood)
    reading = reads.price(quote) + reads.range_position(facts) + reads.valuation(facts)[:2]
    reading += reads.technicals(tech) + reads.sentiment(mood)
    chart = results.get(OVERVIEW_CHART, symbol) or {}
    lines = _figures(rows, reading)
    if chart.get("chart_url"):
        title = chart.get("data", {}).get("title", "Price and volume")
        link = f"**[Open the interactive chart]({chart['chart_url']})** — {title}"
        lines += ["", f"{link} (source: {provenance(chart)}); the chart is attached."]
    return lines


def _price_block(symbol: str, results: Results) -> list[str]:
    quote = results.get("fetch_current_price_data", symbol) or {}
    return _figures(sec.price_rows(quote) if quote else [], reads.price(quote))


def _technicals_block(symbol: str, results: Results) -> list[str]:
    tech = results.get("fetch_technical_indicators", symbol) or {}
    lines = []
    if tech:
        when = tech.get("data", {}).get("date", "the latest session")
        lines = [f"Indicators on the close of {when}, from daily bars.", ""]
    return lines + _figures(sec.rows(tech, sec.TECHNICAL_FULL), reads.technicals(tech))


def _fundamentals_block(symbol: str, results: Results) -> list[str]:
    facts = results.get("fetch_company_fundamentals", symbol) or {}
    sector = facts.get("data", {}).get("sector")
    lines = [f"Sector: {sector}.", ""] if sector else []
    reading = reads.valuation(facts) + reads.range_position(facts)
    lines += _figures(sec.rows(facts, sec.VALUATION_FULL), reading)
    for tool in (
        "fetch_eps_analysis",
        "fetch_historical_financials",
        "fetch_balance_sheet_data",
        "fetch_cash_flow_data",
    ):
        statement = results.get(tool, symbol)
        if statement:
            lines += ["", *sec.statement_block(tool, statement)]
    return lines


def _news_block(symbol: str, results: Results) -> list[str]:
    mood = results.get("fetch_overall_news_sentiment", symbol) or {}
    articles = results.get("fetch_news_articles", symbol) or {}
    lines = _figures(sec.sentiment_rows(mood), reads.sentiment(mood))
    headlines = sec.headline_lines(articles)
    if headlines:
        lines += ["", f"**Latest headlines** (source: {provenance(articles)}):", "", *headlines]
    return lines


def _dividends_block(symbol: str, results: Results) -> list[str]:
    history = results.get("fetch_dividend_history", symbol) or {}
    lines = _figures(sec.dividend_rows(history), reads.dividends(history))
    tables = sec.dividend_tables(history)
    if tables:
        lines += ["", f"**By calendar year** (source: {provenance(history)}):", "", *tables]
    return lines


def _compare(intent: Intent, results: Results) -> Page:
    chosen = intent.instruments[:MAX_COMPARED]
    perf = results.get("fetch_comparative_performance")
    funds = {i.symbol: results.get("fetch_company_fundamentals", tool_symbol(i)) for i in chosen}
    techs = {i.symbol: results.get("fetch_technical_indicators", tool_symbol(i)) for i in chosen}
    columns = [i.symbol for i in chosen]
    rows = _compare_rows(columns, (perf or {}).get("data", {}), _data(funds), _data(techs))
    lines = table(("Figure", *columns), rows) or ["No figures came back for this."]
    lines += ["", *_compare_sources(perf, funds, techs)]
    if perf and perf.get("data", {}).get("benchmark"):
        lines += ["", _benchmark_line(perf["data"])]
    reading = reads.comparison(perf, {s: r for s, r in funds.items() if r})
    if reading:
        lines += ["", "**How to read this** (rules of thumb, not a forecast):", ""]
        lines += [f"- {item}" for item in reading]
    names = [_name(i, results) for i in chosen]
    return "Comparison: " + " vs ".join(names), lines


_COMPARED_FUNDAMENTALS = "price market_cap pe_trailing price_to_book roe dividend_yield".split()
_COMPARED_PERFORMANCE = (
    "total_return annual_volatility sharpe_ratio max_drawdown excess_return".split()
)


def _compare_rows(
    columns: list[str],
    perf: dict[str, Any],
    funds: dict[str, dict[str, Any]],
    techs: dict[str, dict[str, Any]],
) -> list[tuple[str, ...]]:
    stocks, period = perf.get("stocks", {}), perf.get("period", "window")
    rows: list[tuple[str, ...]] = []
    for key in _COMPARED_FUNDAMENTALS:
        cells = [figure(key, funds[c].get(key), funds[c].get("currency")) for c in columns]
        rows.append((label(key), *cells))
    for key in _COMPARED_PERFORMANCE:
        cells = [figure(key, stocks.get(c, {}).get(key)) for c in columns]
        rows.append((f"{label(key)} ({period})", *cells))
    if any(techs.values()):
        rows.append((label("rsi_14"), *(number(techs[c].get("rsi_14")) for c in columns)))
        crossings = [techs[c].get("signals", {}).get("macd_vs_signal", "—") for c in columns]
        rows.append(("MACD vs signal line", *crossings))
    return [row for row in rows if any(cell != "—" for cell in row[1:])]


def _data(by_symbol: dict[str, dict[str, Any] | None]) -> dict[str, dict[str, Any]]:
    return {s: (r or {}).get("data", {}) for s, r in by_symbol.items()}


def _compare_sources(perf: Any, funds: dict[str, Any], techs: dict[str, Any]) -> list[str]:
    parts = []
    if perf:
        parts.append(
            f"performance over {perf['data'].get('period', 'the window')} ({provenance(perf)})"
        )
    for name, group in (("fundamentals", funds), ("technicals", techs)):
        seen = sorted({provenance(r) for r in group.values() if r})
        if seen:
            parts.append(f"{name} ({'; '.join(seen)})")
    return [f"Sources, as of: {', '.join(parts)}."] if parts else []


def _benchmark_line(data: dict[str, Any]) -> str:
    bench = data["benchmark"]
    return (
        f"Benchmark {bench.get('name', 'index')}: total return "
        f"{pct(bench.get('total_return'), signed=True)}, annualised volatility "
        f"{pct(bench.get('annual_volatility'))} over {data.get('period', 'the window')}."
    )


def _generic(intent: Intent, results: Results) -> Page:
    lines = []
    for outcome in results:
        if outcome.result:
            lines.append(f"- {_what(outcome)}: answered ({provenance(outcome.result)})")
    return "Tool results", lines


def _company(heading: str, block: Callable[[str, Results], list[str]]) -> Callable:
    return lambda intent, results: _per_company(intent, results, heading, block)


_WRITERS: dict[str, Callable[[Intent, Results], Page]] = {
    "overview": _company("overview", _overview_block),
    "price": _company("price", _price_block),
    "technicals": _company("technical indicators", _technicals_block),
    "fundamentals": _company("fundamentals", _fundamentals_block),
    "news": _company("news and sentiment", _news_block),
    "dividends": _company("dividends", _dividends_block),
    "compare": _compare,
    "chart": chart_page,
    "portfolio": portfolio_page,
}
