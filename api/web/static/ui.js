// DOM helpers. Text always goes in as text nodes or attributes; the only
// HTML string the app inserts is markdown.js output (escaped first).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

// A labelled input with a slot for its error message.
export function field(label, attrs = {}, hint = "") {
  const id = attrs.id || nextId("f");
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const tag = attrs.tag || "input";
  const control = el(tag, {
    ...attrs,
    tag: null,
    options: null,
    id,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
  });
  for (const [value, text] of attrs.options || []) {
    control.append(el("option", { value, selected: value === attrs.value, text }));
  }
  return el(
    "div",
    { class: attrs.type === "checkbox" ? "field check" : "field" },
    attrs.type === "checkbox" ? [control, el("label", { for: id, text: label })] : [
      el("label", { for: id, text: label }),
      control,
    ],
    hint && el("p", { class: "hint", id: hintId, text: hint }),
    el("p", { class: "field-error", id: errorId }),
  );
}

export function formError() {
  return el("p", { class: "form-error", role: "alert", hidden: true });
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
  }
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  const summary = form.querySelector(".form-error");
  if (summary) {
    summary.textContent = "";
    summary.hidden = true;
  }
}

// The API's schema messages (pydantic's) in words a user expects; the
// domain's own messages are already written for people.
const PLAIN_MESSAGES = [
  [/^Input should be a valid (number|integer)/, "Enter a number"],
  [/^Input should be a valid date/, "Enter a valid date"],
  [/^String should match pattern/, "Not in the expected format"],
  [/^String should have at least (\d+) characters?/, "Use at least $1 characters"],
  [/^String should have at most (\d+) characters?/, "Use at most $1 characters"],
  [/^Field required/, "Required"],
];

export function plainMessage(message) {
  for (const [pattern, words] of PLAIN_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return words.replace("$1", match[1]);
  }
  return message;
}

// Shows an ApiError: each `errors[]` entry under its field (matched by the
// input's name), and above the form a summary naming those fields, else
// the API's `detail`.
export function showErrors(form, error) {
  clearErrors(form);
  const placed = [];
  for (const item of error.errors || []) {
    const input = form.querySelector(`[name="${CSS.escape(item.field || "")}"]`);
    if (!input) continue;
    const message = plainMessage(item.message);
    input.setAttribute("aria-invalid", "true");
    const slot = document.getElementById(`${input.id}-error`);
    if (slot) slot.textContent = message;
    if (!placed.length) input.focus();
    const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`)?.textContent;
    placed.push(label ? `${label}: ${message}` : message);
  }
  const summary = form.querySelector(".form-error");
  if (summary) {
    summary.textContent = placed.length ? placed.join("; ") : error.message;
    summary.hidden = false;
  }
}

// Runs `work` with the form's submit button busy; errors land on the form.
export async function submitting(form, work) {
  const button = form.querySelector("[type=submit]");
  clearErrors(form);
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (error) {
    showErrors(form, error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function formValues(form) {
  const values = {};
  for (const input of form.elements) {
    if (!input.name) continue;
    if (input.type === "checkbox") values[input.name] = input.checked;
    else values[input.name] = input.value.trim();
  }
  return values;
}

// A modal <dialog>: Esc closes it (native), focus returns where it was.
export function dialog(title, body, actions) {
  const returnTo = document.activeElement;
  const titleId = nextId("dlg");
  const box = el(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId },
    el("h2", { id: titleId, text: title }),
    body,
    actions?.length ? el("div", { class: "dialog-actions" }, actions) : null,
  );
  document.body.append(box);
  box.addEventListener("close", () => {
    box.remove();
    if (returnTo && returnTo.isConnected) returnTo.focus();
  });
  box.showModal();
  return box;
}

export function confirmDialog(title, message, confirmLabel) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = el("button", { type: "button", class: "danger", text: confirmLabel });
    const no = el("button", { type: "button", class: "secondary", text: "Cancel" });
    const box = dialog(title, el("p", { text: message }), [no, yes]);
    yes.addEventListener("click", () => {
      answer = true;
      box.close();
    });
    no.addEventListener("click", () => box.close());
    box.addEventListener("close", () => resolve(answer));
    no.focus();
  });
}

// A dialog holding a form; `save(values)` may throw an ApiError to keep it open.
export function formDialog(title, fields, submitLabel, save) {
  const form = el("form", { class: "stack", novalidate: true }, formError(), fields);
  const submit = el("button", { type: "submit", text: submitLabel });
  const cancel = el("button", { type: "button", class: "secondary", text: "Cancel" });
  form.append(el("div", { class: "dialog-actions" }, cancel, submit));
  const box = dialog(title, form, null);
  cancel.addEventListener("click", () => box.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await submitting(form, () => save(formValues(form)).then(() => true));
    if (done) box.close();
  });
  form.querySelector("input, select, textarea")?.focus();
  return box;
}

const inr = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });
const plain = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 2 });

export const money = (value) => (value == null ? "—" : inr.format(value));
export const num = (value) => (value == null ? "—" : plain.format(value));
export const pct = (value) => (value == null ? "—" : `${plain.format(value)}%`);
export const signed = (value, format) =>
  value == null ? "—" : `${value > 0 ? "+" : ""}${format(value)}`;
export const when = (iso) => (iso ? new Date(iso).toLocaleString("en-IN") : "—");

// Small line icons drawn here: emoji glyphs depend on the system's fonts.
const ICONS = {
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4",
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
};

export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "svg-icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}
