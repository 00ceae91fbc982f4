// Price and indicator alerts: the list, a form to add or change one, delete.
// Saving one queues a price check; the list reloads when it has run, so an
// alert whose condition already holds shows as fired.

import { api } from "./api.js";
import { watchJob } from "./jobs.js";
import { announce, confirmDialog, dialog, el, field, formError, formValues, num, submitting, when } from "./ui.js";

const METRICS = [
  ["price", "Price (₹)"],
  ["day_change_pct", "Day change (%)"],
  ["rsi_14", "RSI 14 (0-100)"],
  ["sma_50", "50-day average (₹)"],
  ["sma_200", "200-day average (₹)"],
];
const OPERATORS = [
  ["above", "rises above"],
  ["below", "falls below"],
];

export function alertsView(root) {
  const list = el("div", { class: "table-wrap", role: "region", "aria-label": "Alerts table", tabindex: "0" });
  const heading = el("h1", { tabindex: "-1", text: "Alerts" });
  const form = alertForm(null, async (body) => {
    const saved = await api.post("/alerts/", body);
    announce("Alert added");
    form.reset();
    await load(list);
    checked(list, saved);
  });
  root.replaceChildren(
    el(
      "section",
      { class: "page", "aria-labelledby": "alerts-title" },
      el("header", { class: "page-head" }, heading),
      el(
        "div",
        { class: "split" },
        el("section", { "aria-label": "Your alerts" }, el("h2", { text: "Your alerts" }), list),
        el("section", { class: "panel", "aria-label": "New alert" }, el("h2", { text: "New alert" }), form),
      ),
    ),
  );
  heading.id = "alerts-title";
  load(list);
}

function alertForm(alert, save) {
  const form = el(
    "form",
    { class: "stack", novalidate: true },
    formError(),
    field("Symbol", { name: "symbol", value: alert?.symbol, required: true, maxlength: 40 }),
    field("Exchange", { tag: "select", name: "exchange", value: alert?.exchange || "NSE", options: [["NSE", "NSE"], ["BSE", "BSE"]] }),
    field("Measure", { tag: "select", name: "metric", value: alert?.metric || "price", options: METRICS }),
    field("Condition", { tag: "select", name: "operator", value: alert?.operator || "above", options: OPERATORS }),
    field("Threshold", { name: "threshold", type: "number", step: "any", value: alert?.threshold, required: true }),
    field("Note (optional)", { name: "note", value: alert?.note, maxlength: 200 }),
    el("button", { type: "submit", text: alert ? "Save alert" : "Add alert" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, () => save(alertBody(formValues(form))));
  });
  return form;
}

function alertBody(values) {
  return {
    symbol: values.symbol,
    exchange: values.exchange,
    metric: values.metric,
    operator: values.operator,
    threshold: values.threshold === "" ? null : Number(values.threshold),
    note: values.note || null,
  };
}

// Reloads the list once the price check the API queued for `alert` ran.
function checked(list, alert) {
  if (!alert.refresh_job_id) return;
  watchJob(alert.refresh_job_id, { alive: () => list.isConnected })
    .then((job) => job && load(list))
    .catch(() => {}); // the list shows the last known state either way
}

async function load(list) {
  let alerts;
  try {
    alerts = await api.get("/alerts/");
  } catch (error) {
    list.replaceChildren(el("p", { class: "form-error", text: error.message }));
    return;
  }
  if (!alerts.length) {
    list.replaceChildren(el("p", { class: "muted", text: "No alerts yet." }));
    return;
  }
  const rows = alerts.map((a) =>
    el(
      "tr",
      { "data-alert-id": a.id },
      el("th", { scope: "row", text: a.condition }),
      el("td", { text: a.armed ? "Armed" : "Fired; re-arms when the condition is false" }),
      el("td", { class: "num", text: num(a.last_value) }),
      el("td", { text: when(a.last_triggered_at) }),
      el(
        "td",
        { class: "row-actions" },
        el("button", { type: "button", class: "secondary small", "aria-label": `Edit alert: ${a.condition}`, text: "Edit", onclick: () => edit(list, a) }),
        el("button", { type: "button", class: "secondary small", "aria-label": `Delete alert: ${a.condition}`, text: "Delete", onclick: () => remove(list, a) }),
      ),
    ),
  );
  const head = ["Condition", "State", "Last value", "Last fired", "Actions"];
  list.replaceChildren(
    el(
      "table",
      { class: "data" },
      el("thead", {}, el("tr", {}, head.map((text) => el("th", { scope: "col", text })))),
      el("tbody", {}, rows),
    ),
  );
}

function edit(list, alert) {
  let box = null;
  const form = alertForm(alert, async (body) => {
    const saved = await api.put(`/alerts/${alert.id}`, body);
    announce("Alert saved");
    box.close();
    await load(list);
    checked(list, saved);
  });
  form.append(el("button", { type: "button", class: "secondary", text: "Cancel", onclick: () => box.close() }));
  box = dialog("Edit alert", form, null);
  form.querySelector("input").focus();
}

async function remove(list, alert) {
  if (!(await confirmDialog("Delete alert?", alert.condition, "Delete alert"))) return;
  try {
    await api.del(`/alerts/${alert.id}`);
    announce("Alert deleted");
  } catch (error) {
    list.prepend(el("p", { class: "form-error", role: "alert", text: error.message }));
  }
  await load(list);
}
