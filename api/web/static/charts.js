// Plotly figures, drawn with the plotly.js the API serves. The 4.8 MB
// script is fetched on first use so pages without charts stay light.

import { el } from "./ui.js";

const PLOTLY_SRC = "/static/plotly/plotly.min.js";
let loading = null;

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
  plot(box, figure);
  return node;
}
