// Holdings with value and P&L, the sector allocation as a pie, add/edit/
// delete, and a price refresh whose job is polled until it ends. While the
// page is open it reloads now and then, so values follow the scheduled
// price refreshes.

import { api } from "./api.js";
import { plainFigure, plot } from "./charts.js";
import { watchJob } from "./jobs.js";
import {
  announce,
  confirmDialog,
  el,
  field,
  formDialog,
  money,
  num,
  pct,
  signed,
  when,
} from "./ui.js";

const RELOAD_EVERY_MS = 60_000;
const EXCHANGES = [
  ["NSE", "NSE"],
  ["BSE", "BSE"],
];

export function portfolioView(root) {
  const summary = el("div", { class: "cards" });
  // Focusable, so a keyboard can scroll the table sideways on a phone.
  const table = el("div", { class: "table-wrap", role: "region", "aria-label": "Holdings table", tabindex: "0" });
  const chart = el("div", { class: "chart pie" });
  const progress = el("p", { class: "progress", role: "status" });
  const banner = el("p", { class: "demo-banner", role: "note", hidden: true });
  const refresh = el("button", { type: "button", class: "secondary", text: "Update prices" });
  const add = el("button", { type: "button", text: "Add holding" });
  const view = { summary, table, chart, progress, banner, refresh };
  const heading = el("h1", { tabindex: "-1", text: "Portfolio" });

  root.replaceChildren(
    el(
      "section",
      { class: "page", "aria-labelledby": "portfolio-title" },
      el("header", { class: "page-head" }, heading, el("div", { class: "actions" }, refresh, add)),
      banner,
      progress,
      summary,
      el("section", { class: "panel", "aria-labelledby": "holdings-title" }, el("h2", { id: "holdings-title", text: "Holdings" }), table),
      el(
        "section",
        { class: "panel allocation", "aria-labelledby": "allocation-title" },
        el("h2", { id: "allocation-title", text: "Sector allocation" }),
        chart,
      ),
    ),
  );
  heading.id = "portfolio-title";
  add.addEventListener("click", () => editHolding(view, null));
  refresh.addEventListener("click", () => updatePrices(view));
  load(view);
  const timer = setInterval(() => reloadQuietly(view), RELOAD_EVERY_MS);
  return () => clearInterval(timer);
}

// Redrawing the table would take the focus from a row's button, and a
// dialog may be editing a row: wait for the next round then.
function reloadQuietly(view) {
  const active = document.activeElement;
  const inRow = view.table.contains(active) && active !== view.table;
  if (!inRow && !document.querySelector("dialog[open]")) load(view);
}

async function load(view) {
  let data;
  try {
    data = await api.get("/portfolio/");
  } catch (error) {
    view.table.replaceChildren(el("p", { class: "form-error", text: error.message }));
    return;
  }
  view.data = data;
  renderSummary(view, data);
  renderHoldings(view, data);
  renderAllocation(view, data);
}

function renderSummary(view, { totals, xirr, source, as_of: asOf }) {
  view.banner.hidden = source !== "demo";
  view.banner.replaceChildren(
    el("strong", { text: "Demo data." }),
    " Prices come from Kubera's synthetic demo source, not from the market.",
  );
  const card = (label, value, tone = "") =>
    el("div", { class: `card ${tone}` }, el("p", { class: "card-label", text: label }), el("p", { class: "card-value", text: value }));
  const tone = (value) => (value > 0 ? "up" : value < 0 ? "down" : "");
  view.summary.replaceChildren(
    card("Invested", money(totals.invested)),
    card("Current value", money(totals.value)),
    card("Total P&L", `${signed(totals.pnl, money)} (${signed(totals.pnl_pct, pct)})`, tone(totals.pnl)),
    card("Today", `${signed(totals.day_change, money)} (${signed(totals.day_change_pct, pct)})`, tone(totals.day_change)),
    xirr.rate_pct == null ? card("XIRR", xirr.reason || "—", "note") : card("XIRR", pct(xirr.rate_pct)),
    card("Prices as of", asOf ? when(asOf) : "not priced yet"),
  );
  if (totals.pending) {
    view.summary.append(
      el("p", { class: "muted wide-note", text: `${totals.pending} holding(s) wait for a price and are left out of the totals.` }),
    );
  }
}

function renderHoldings(view, { holdings }) {
  if (!holdings.length) {
    view.table.replaceChildren(el("p", { class: "muted", text: "No holdings yet. Add your first one." }));
    return;
  }
  const head = ["Stock", "Qty", "Avg price", "Last price", "Value", "P&L", "Weight", "Actions"];
  const rows = holdings.map((h) => {
    const waiting = h.price_error ? `no price: ${h.price_error}` : "price pending";
    const pnl = h.price_pending ? waiting : `${signed(h.pnl, money)} (${signed(h.pnl_pct, pct)})`;
    return el(
      "tr",
      { "data-holding-id": h.id },
      el("th", { scope: "row" }, el("span", { class: "sym", text: `${h.symbol} · ${h.exchange}` }), el("span", { class: "muted small", text: h.name })),
      el("td", { class: "num", text: num(h.quantity) }),
      el("td", { class: "num", text: money(h.avg_price) }),
      el("td", { class: "num", text: money(h.last_price) }),
      el("td", { class: "num", text: money(h.value) }),
      el("td", { class: `num ${h.pnl > 0 ? "up" : h.pnl < 0 ? "down" : ""}`, text: pnl }),
      el("td", { class: "num", text: pct(h.weight_pct) }),
      el(
        "td",
        {},
        el(
          "div",
          { class: "row-actions" },
          el("button", { type: "button", class: "secondary small", "aria-label": `Edit ${h.symbol}`, text: "Edit", onclick: () => editHolding(view, h) }),
          el("button", { type: "button", class: "secondary small", "aria-label": `Delete ${h.symbol}`, text: "Delete", onclick: () => deleteHolding(view, h) }),
        ),
      ),
    );
  });
  view.table.replaceChildren(
    el(
      "table",
      { class: "data" },
      el("caption", { class: "sr-only", text: "Your holdings" }),
      el("thead", {}, el("tr", {}, head.map((text) => el("th", { scope: "col", text })))),
      el("tbody", {}, rows),
    ),
  );
}

function renderAllocation(view, { sector_allocation: sectors }) {
  if (!sectors.length) {
    view.chart.replaceChildren(el("p", { class: "muted", text: "The allocation appears once your holdings are priced." }));
    return;
  }
  view.chart.replaceChildren();
  plot(view.chart, plainFigure({
    data: [
      {
        type: "pie",
        labels: sectors.map((s) => s.sector),
        values: sectors.map((s) => s.value),
        hole: 0.45,
        textinfo: "label+percent",
        hovertemplate: "%{label}: ₹%{value:,.2f}<extra></extra>",
      },
    ],
    layout: { showlegend: false, margin: { t: 8, r: 8, b: 8, l: 8 }, height: 300 },
  }));
}

function holdingFields(h) {
  return [
    field("Symbol", { name: "symbol", value: h?.symbol, required: true, maxlength: 40 }, "For example INFY, RELIANCE or TCS."),
    field("Exchange", { tag: "select", name: "exchange", value: h?.exchange || "NSE", options: EXCHANGES }),
    field("Quantity", { name: "quantity", type: "number", step: "any", value: h?.quantity, required: true, inputmode: "decimal" }),
    field("Average buy price (₹)", { name: "avg_price", type: "number", step: "any", value: h?.avg_price, required: true, inputmode: "decimal" }),
    field("Buy date", { name: "buy_date", type: "date", value: h?.buy_date }),
    field("Notes", { tag: "textarea", name: "notes", maxlength: 500, rows: 2 }),
  ];
}

// The API validates; the form only converts types, so its messages show.
function holdingBody(values) {
  const number = (value) => (value === "" ? null : Number(value));
  return {
    symbol: values.symbol,
    exchange: values.exchange,
    quantity: number(values.quantity),
    avg_price: number(values.avg_price),
    buy_date: values.buy_date || null,
    notes: values.notes || null,
  };
}

function editHolding(view, holding) {
  const fields = holdingFields(holding);
  if (holding?.notes) fields[5].querySelector("textarea").value = holding.notes;
  formDialog(holding ? `Edit ${holding.symbol}` : "Add a holding", fields, holding ? "Save" : "Add", async (values) => {
    const body = holdingBody(values);
    const saved = holding
      ? await api.put(`/portfolio/${holding.id}`, body)
      : await api.post("/portfolio/", body);
    announce(holding ? `${saved.symbol} updated` : `${saved.symbol} added`);
    await load(view);
    if (saved.refresh_job_id) follow(view, saved.refresh_job_id, false).catch(() => {}); // the next load shows it
  });
}

async function deleteHolding(view, holding) {
  const ok = await confirmDialog("Delete holding?", `Remove ${holding.symbol} from your portfolio?`, "Delete");
  if (!ok) return;
  try {
    await api.del(`/portfolio/${holding.id}`);
    announce(`${holding.symbol} deleted`);
  } catch (error) {
    view.progress.textContent = error.message;
  }
  await load(view);
}

async function updatePrices(view) {
  view.refresh.disabled = true;
  try {
    const job = await api.post("/portfolio/update-prices");
    showJob(view, job);
    await follow(view, job.job_id, true);
  } catch (error) {
    view.progress.textContent = error.message;
  } finally {
    view.refresh.disabled = false;
  }
}

// Waits for a refresh job, then shows its prices; `loud` reports progress.
async function follow(view, jobId, loud) {
  const job = await watchJob(jobId, {
    alive: () => view.table.isConnected,
    onUpdate: (state) => loud && showJob(view, state),
  });
  if (job) await load(view);
}

function showJob(view, job) {
  const counts = job.symbols ? ` ${job.refreshed} of ${job.symbols} priced` : "";
  const failed = job.failed ? `, ${job.failed} failed` : "";
  const text = {
    queued: "Price update queued…",
    running: `Updating prices…${counts}${failed}`,
    done: `Prices updated:${counts || " nothing to price"}${failed}.`,
    failed: `The price update failed${job.reason ? `: ${job.reason}` : "."}`,
  }[job.status];
  view.progress.textContent = text;
}
