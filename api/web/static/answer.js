// One assistant answer: a demo-data banner, a chip per tool call (expands to
// its result JSON), charts, the streamed text rendered as Markdown, a footer.
// Built from socket events (`apply`) or from a stored message (`fromStored`).

import { chartFigure } from "./charts.js";
import { renderMarkdown } from "./markdown.js";
import { el, nextId } from "./ui.js";

const DEMO_NOTE =
  " These figures come from Kubera's synthetic demo source, not from the market.";

export class Answer {
  constructor(turnId) {
    this.turnId = turnId;
    this.lastSeq = 0;
    this.banner = el(
      "p",
      { class: "demo-banner", role: "note", hidden: true },
      el("strong", { text: "Demo data." }),
      DEMO_NOTE,
    );
    this.toolList = el("ul", { class: "tools", "aria-label": "Tools used", hidden: true });
    this.body = el("div", { class: "md" });
    this.charts = el("div", { class: "charts" });
    this.problem = el("p", { class: "answer-error", role: "alert", hidden: true });
    this.footer = el("p", { class: "meta" });
    this.node = el(
      "article",
      { class: "msg answer", "aria-label": "Kubera's answer", "aria-busy": "true" },
      el("p", { class: "who", text: "Kubera" }),
      this.banner,
      this.toolList,
      // Charts come with the tool results, before the text is written:
      // above it, the text streaming in below never pushes them about.
      this.charts,
      this.body,
      this.problem,
      this.footer,
    );
    this.reset();
  }

  static fromStored(message) {
    const answer = new Answer(message.turn_id);
    answer.text = message.content || "";
    for (const call of message.tool_calls || []) {
      answer.toolStarted({ tool_id: call.tool_id, tool_name: call.name });
      answer.toolDone({ ...call, tool_name: call.name, withChart: false });
    }
    for (const chart of message.charts || []) {
      if (chart.figure) answer.addChart(chart.figure, chart.chart_id, chart.chart_url);
    }
    answer.complete({ status: message.status, ...(message.metadata || {}) });
    return answer;
  }

  reset() {
    this.text = "";
    this.tools = new Map();
    this.chartKeys = new Set();
    this.marks = [];
    this.done = false;
    this.toolList.replaceChildren();
    this.toolList.hidden = true;
    this.charts.replaceChildren();
    this.render();
  }

  // Applies one event; true when it ends the turn. Replays are skipped by seq.
  apply(event) {
    if (typeof event.seq === "number") {
      if (event.seq <= this.lastSeq) return false;
      this.lastSeq = event.seq;
    }
    switch (event.type) {
      case "turn_started":
        if (event.restart) this.reset(); // the worker started the turn over
        return false;
      case "text_chunk":
        this.text += event.content || "";
        this.scheduleRender();
        return false;
      case "tool_call_start":
        this.toolStarted(event);
        return false;
      case "tool_call_complete":
        this.toolDone(event);
        return false;
      case "message_complete":
        this.complete(event.metadata || {});
        return true;
      case "error":
        this.fail(event.message || "The answer could not be finished.");
        return true;
      default:
        return false;
    }
  }

  scheduleRender() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  render() {
    // renderMarkdown escapes all HTML before adding its own tags.
    this.body.innerHTML = renderMarkdown(this.text, { marks: this.marks });
  }

  toolStarted({ tool_id: toolId, tool_name: name }) {
    if (this.tools.has(toolId)) return this.tools.get(toolId);
    const resultId = nextId("tool-result");
    const label = el("span", { class: "chip-label", text: name || "tool" });
    const timing = el("span", { class: "chip-time", text: "running…" });
    const chip = el(
      "button",
      { type: "button", class: "chip running", "aria-expanded": "false", "aria-controls": resultId },
      el("span", { class: "chip-icon", "aria-hidden": "true" }),
      label,
      timing,
    );
    const pre = el("pre", { class: "tool-result", id: resultId, hidden: true, tabindex: "0" });
    const tool = { chip, pre, timing, name, result: undefined };
    chip.addEventListener("click", () => this.toggle(tool));
    this.tools.set(toolId, tool);
    this.toolList.append(el("li", {}, chip, pre));
    this.toolList.hidden = false;
    return tool;
  }

  toggle(tool) {
    const open = tool.chip.getAttribute("aria-expanded") !== "true";
    tool.chip.setAttribute("aria-expanded", String(open));
    if (open) fill(tool);
    tool.pre.hidden = !open;
  }

  toolDone(event) {
    const tool = this.toolStarted(event);
    const result = event.result;
    const failed = event.ok === false || Boolean(result && result.error && !result.source);
    tool.result = result;
    if (tool.chip.getAttribute("aria-expanded") === "true") fill(tool);
    tool.chip.classList.remove("running");
    tool.chip.classList.add(failed ? "failed" : "ok");
    tool.timing.textContent = duration(event.duration_ms);
    if (result?.source === "demo") this.banner.hidden = false;
    if (event.withChart !== false && result?.figure) {
      this.addChart(result.figure, result.chart_id || event.tool_id, result.chart_url);
    }
  }

  addChart(figure, key, url) {
    if (key && this.chartKeys.has(key)) return;
    this.chartKeys.add(key);
    const title = figure?.layout?.title?.text || figure?.layout?.title || "Chart";
    this.charts.append(chartFigure(figure, { title: String(title), url }));
  }

  complete(meta) {
    this.done = true;
    this.node.setAttribute("aria-busy", "false");
    this.marks = Array.isArray(meta.unverified_numbers) ? meta.unverified_numbers : [];
    if (String(meta.data_source || "").includes("demo")) this.banner.hidden = false;
    if (meta.chart_json && !this.chartKeys.size) {
      this.addChart(meta.chart_json, "metadata", meta.chart_url);
    }
    this.render();
    this.footer.replaceChildren(...footerParts(meta, this.marks.length));
  }

  fail(message) {
    this.done = true;
    this.node.setAttribute("aria-busy", "false");
    this.problem.textContent = message;
    this.problem.hidden = false;
    this.render();
  }
}

// The result JSON is written on first open: chart results carry large figures.
function fill(tool) {
  tool.pre.textContent =
    tool.result === undefined ? "Still running…" : JSON.stringify(tool.result, null, 2);
}

function duration(ms) {
  if (typeof ms !== "number") return "";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function footerParts(meta, unverified) {
  const parts = [];
  if (meta.status === "cancelled") {
    parts.push(el("span", { class: "stopped", text: "Stopped: the part written so far is kept." }));
  }
  const facts = [
    meta.model,
    typeof meta.processing_time_ms === "number" && duration(meta.processing_time_ms),
    meta.tokens_used ? `${meta.tokens_used} tokens` : null,
    meta.data_source && `source: ${meta.data_source}`,
  ].filter(Boolean);
  if (facts.length) parts.push(el("span", { text: facts.join(" · ") }));
  if (unverified) {
    const noun = unverified === 1 ? "figure was" : "figures were";
    parts.push(
      el("span", {
        class: "unverified-note",
        text: `${unverified} ${noun} not found in any tool result and ${unverified === 1 ? "is" : "are"} highlighted.`,
      }),
    );
  }
  return parts;
}
