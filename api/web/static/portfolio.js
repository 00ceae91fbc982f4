// Holdings with value and P&L, the sector allocation as a pie, add/edit/
// delete, and a price refresh whose job is polled until it ends.

import { api } from "./api.js";
import { plot } from "./charts.js";
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

const POLL_EVERY_MS = 1000;
const POLL_FOR_MS = 120_000;
const EXCHANGES = [
  ["NSE", "NSE"],
  ["BSE", "BSE"],
];

export function portfolioView(root) {
  const summary = el("div", { class: "cards" });
  const table = el("div", { class: "table-wrap" });
  const chart = el("div", { class: "chart pie" });
  const progress = el("p", { class: "progress", role: "status" });
  const banner = el("p", { class: "demo-banner", role: "note", hidden: true });
  const refresh = el("button", { type: "button", class: "secondary", text: "Update prices" });
  const add = el("button", { type: "button", text: "Add holding" });
  const view = { root, summary, table, chart, progress, banner, refresh, polling: null };
  const heading = el("h1", { tabindex: "-1", text: "Portfolio" });

  root.replaceChildren(
    el(
      "section",
      { class: "page", "aria-labelledby": "portfolio-title" },
      el("header", { class: "page-head" }, heading, el("div", { class: "actions" }, refresh, add)),
      banner,
      progress,
      summary,
      el(
        "div",
        { class: "split" },
        el("section", { "aria-label": "Holdings" }, el("h2", { text: "Holdings" }), table),
        el("section", { class: "allocation", "aria-label": "Sector allocation" }, el("h2", { text: "Sector allocation" }), chart),
      ),
    ),
  );
  heading.id = "portfolio-title";
  add.addEventListener("click", () => editHolding(view, null));
  refresh.addEventListener("click", () => updatePrices(view));
  load(view);
  return () => clearTimeout(view.polling);
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
    card("XIRR", xirr.rate_pct == null ? xirr.reason || "—" : pct(xirr.rate_pct)),
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
    const pnl = h.price_pending ? "price pending" : `${signed(h.pnl, money)} (${signed(h.pnl_pct, pct)})`;
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
        { class: "row-actions" },
        el("button", { type: "button", class: "secondary small", "aria-label": `Edit ${h.symbol}`, text: "Edit", onclick: () => editHolding(view, h) }),
        el("button", { type: "button", class: "secondary small", "aria-label": `Delete ${h.symbol}`, text: "Delete", onclick: () => deleteHolding(view, h) }),
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
  plot(view.chart, {
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
  });
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
    if (saved.refresh_job_id) poll(view, saved.refresh_job_id, false);
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
    poll(view, job.job_id, true);
  } catch (error) {
    view.progress.textContent = error.message;
    view.refresh.disabled = false;
  }
}

function poll(view, jobId, loud) {
  const until = Date.now() + POLL_FOR_MS;
  const tick = async () => {
    if (!view.root.isConnected) return;
    let job;
    try {
      job = await api.get(`/portfolio/update-prices/${jobId}`);
    } catch (error) {
      view.progress.textContent = error.message;
      view.refresh.disabled = false;
      return;
    }
    if (loud) showJob(view, job);
    if (job.status === "done" || job.status === "failed") {
      view.refresh.disabled = false;
      await load(view);
      return;
    }
    if (Date.now() < until) view.polling = setTimeout(tick, POLL_EVERY_MS);
    else view.refresh.disabled = false;
  };
  view.polling = setTimeout(tick, POLL_EVERY_MS);
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
