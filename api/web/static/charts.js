// Plotly figures, drawn with the plotly.js the API serves. The 4.8 MB
// script is fetched on first use so pages without charts stay light.

import { el } from "./ui.js";

const PLOTLY_SRC = "/static/plotly/plotly.min.js";
// Plotly reads a few tags in any label (<b>, <a href>, …). Figures come
// from tools fed by outside data (company names, headlines), so every "<"
// is escaped except the line breaks our own figures use and hover labels'
// <extra>; plotly then shows the rest as the literal text it was.
const MARKUP = /<(?!(?:br\s*\/?|\/?extra)>)/gi;
let loading = null;

export function plainFigure(value) {
  if (typeof value === "string") return value.replace(MARKUP, "&lt;");
  if (Array.isArray(value)) return value.map(plainFigure);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainFigure(item)]));
  }
  return value;
}

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading ??= new Promise((resolve, reject) => {
    const script = el("script", { src: PLOTLY_SRC });
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => {
      loading = null;
      reject(new Error("plotly.js did not load"));
    });
    document.head.append(script);
  });
  return loading;
}

// Draws `figure` ({data, layout}) into `box` once it is on the page.
export async function plot(box, figure, layoutExtra = {}) {
  try {
    const Plotly = await loadPlotly();
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const layout = { autosize: true, margin: { t: 48, r: 24, b: 48, l: 56 }, ...figure.layout };
    delete layout.width;
    await Plotly.newPlot(box, figure.data || [], { ...layout, ...layoutExtra }, {
      responsive: true,
      displaylogo: false,
    });
    box.dataset.plotted = "true";
  } catch {
    box.replaceChildren(el("p", { class: "muted", text: "This chart could not be drawn." }));
  }
}

// A chart from a tool or a stored answer: the figure plus a link to its page.
export function chartFigure(figure, { title, url } = {}) {
  const box = el("div", { class: "chart" });
  const link =
    typeof url === "string" && /^\/charts\/[\w-]+$/.test(url)
      ? el("a", { href: url, target: "_blank", rel: "noopener", text: "Open full-size chart" })
      : null;
  const node = el(
    "figure",
    { class: "chart-figure", "aria-label": title || "Chart" },
    box,
    link && el("figcaption", {}, link),
  );
  plot(box, plainFigure(figure));
  return node;
}
