// A small Markdown renderer for model answers. The whole input is
// HTML-escaped FIRST; only then are the few supported constructs turned into
// tags this file writes itself. So nothing from the input can become markup:
// headings, **bold**, *italic*, `code`, fenced code, lists, > quotes,
// [links](https://…) (http/https only, else plain text) and pipe tables.
// `marks` wraps the given figures in <mark> (numbers no tool result backs).

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const MARK_TITLE = "not found in any tool result";

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}&gt;\s?/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function renderMarkdown(source, { marks = [] } = {}) {
  const text = String(source ?? "").replace(/\0/g, "").replace(/\r\n?/g, "\n");
  const ctx = { marks: markPattern(marks) };
  return blocks(escapeHtml(text).split("\n"), ctx);
}

function startsBlock(lines, i) {
  const line = lines[i];
  return (
    FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) ||
    ITEM.test(line) || isTable(lines, i)
  );
}

function blocks(lines, ctx) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
    } else if (FENCE.test(line)) {
      i = fence(lines, i, out);
    } else if (HEADING.test(line)) {
      const [, hashes, body] = HEADING.exec(line);
      const level = Math.min(hashes.length + 2, 6); // the page owns h1 and h2
      out.push(`<h${level}>${inline(body, ctx)}</h${level}>`);
      i++;
    } else if (RULE.test(line)) {
      out.push("<hr>");
      i++;
    } else if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(lines[i++].replace(QUOTE, ""));
      out.push(`<blockquote>${blocks(inner, ctx)}</blockquote>`);
    } else if (isTable(lines, i)) {
      i = table(lines, i, out, ctx);
    } else if (ITEM.test(line)) {
      i = list(lines, i, out, ctx);
    } else {
      const para = [line.trim()];
      while (++i < lines.length && lines[i].trim() && !startsBlock(lines, i)) {
        para.push(lines[i].trim());
      }
      out.push(`<p>${para.map((l) => inline(l, ctx)).join("<br>")}</p>`);
    }
  }
  return out.join("\n");
}

function fence(lines, i, out) {
  const [, marker, lang] = FENCE.exec(lines[i]);
  const body = [];
  i++;
  while (i < lines.length && !lines[i].trim().startsWith(marker)) body.push(lines[i++]);
  const cls = lang ? ` class="language-${lang.replace(/[^\w-]/g, "")}"` : "";
  out.push(`<pre><code${cls}>${body.join("\n")}</code></pre>`);
  return i + 1;
}

function list(lines, i, out, ctx) {
  const first = ITEM.exec(lines[i]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items = [];
  while (i < lines.length) {
    const match = ITEM.exec(lines[i]);
    if (match && match[1].length > indent && items.length) {
      const nested = [];
      i = list(lines, i, nested, ctx);
      items[items.length - 1].nested += nested.join("");
    } else if (match && match[1].length === indent && /\d/.test(match[2]) === ordered) {
      items.push({ text: match[3], nested: "" });
      i++;
    } else if (!match && lines[i].trim() && items.length && indentOf(lines[i]) > indent) {
      items[items.length - 1].text += ` ${lines[i].trim()}`;
      i++;
    } else if (!lines[i].trim() && continuesList(lines, i, indent)) {
      i++;
    } else {
      break;
    }
  }
  const tag = ordered ? "ol" : "ul";
  const start = ordered && parseInt(first[2], 10) !== 1 ? ` start="${parseInt(first[2], 10)}"` : "";
  const body = items.map((item) => `<li>${inline(item.text, ctx)}${item.nested}</li>`).join("");
  out.push(`<${tag}${start}>${body}</${tag}>`);
  return i;
}

function indentOf(line) {
  return line.length - line.trimStart().length;
}

function continuesList(lines, i, indent) {
  let j = i;
  while (j < lines.length && !lines[j].trim()) j++;
  const match = j < lines.length && ITEM.exec(lines[j]);
  return Boolean(match) && match[1].length >= indent;
}

function isTable(lines, i) {
  return (
    i + 1 < lines.length && lines[i].includes("|") && lines[i + 1].includes("|") &&
    TABLE_RULE.test(lines[i + 1])
  );
}

function cells(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function table(lines, i, out, ctx) {
  const head = cells(lines[i]);
  const aligns = cells(lines[i + 1]).map((spec) => {
    if (spec.startsWith(":") && spec.endsWith(":")) return ' class="align-center"';
    if (spec.endsWith(":")) return ' class="align-right"';
    return "";
  });
  const row = (values, tag) =>
    `<tr>${head.map((_, n) => `<${tag}${aligns[n] || ""}>${inline(values[n] ?? "", ctx)}</${tag}>`).join("")}</tr>`;
  const body = [];
  i += 2;
  while (i < lines.length && lines[i].includes("|") && lines[i].trim()) {
    body.push(row(cells(lines[i++]), "td"));
  }
  out.push(
    `<div class="table-wrap"><table><thead>${row(head, "th")}</thead>` +
      `<tbody>${body.join("")}</tbody></table></div>`,
  );
  return i;
}

// Inline markup on one escaped line. Finished HTML is parked in `slots` so
// later steps cannot touch it (the \0 sentinel cannot occur in the input).
function inline(text, ctx) {
  const slots = [];
  let html = spans(text, ctx, slots, true);
  // A link label may hold parked code: restore until nothing is left.
  for (let depth = 0; depth < 3 && html.includes("\0"); depth++) {
    html = html.replace(/\0(\d+)\0/g, (_, n) => slots[Number(n)]);
  }
  return html;
}

const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"';

function spans(text, ctx, slots, links) {
  const park = (html) => `\0${slots.push(html) - 1}\0`;
  let s = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, __, code) =>
    park(`<code>${code.trim()}</code>`),
  );
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!|~])/g, (_, c) => park(c));
  if (links) {
    s = s.replace(/\[([^\]]+)\]\(\s*([^\s)\0]+)\s*\)/g, (_, label, url) => {
      const inner = spans(label, ctx, slots, false);
      if (!/^https?:\/\/\S+$/i.test(url)) return park(inner);
      return park(`<a href="${url}" ${LINK_ATTRS}>${inner}</a>`);
    });
    s = s.replace(/\bhttps?:\/\/(?:[^\s&\0]|&amp;)+/gi, (url) => {
      const tail = /[.,;:!?)]+$/.exec(url)?.[0] || "";
      const href = url.slice(0, url.length - tail.length);
      return park(`<a href="${href}" ${LINK_ATTRS}>${href}</a>`) + tail;
    });
  }
  if (ctx.marks) {
    s = s.replace(ctx.marks, (figure) => park(`<mark title="${MARK_TITLE}">${figure}</mark>`));
  }
  return s
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(?<!\w)__(?=\S)([\s\S]*?\S)__(?!\w)/g, "<strong>$1</strong>")
    .replace(/(?<![*\w])\*(?=[^\s*])([^*]*?[^\s*])\*(?![*\w])/g, "<em>$1</em>")
    .replace(/(?<![_\w])_(?=[^\s_])([^_]*?[^\s_])_(?![_\w])/g, "<em>$1</em>")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>");
}

// One pattern for every figure, longest first, so "1,234.5" wins over
// "1,234"; it never matches inside a longer number.
function markPattern(figures) {
  const escaped = [...new Set(figures.map((f) => escapeHtml(String(f).trim())))]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!escaped.length) return null;
  return new RegExp(`(?<![\\d\\w\\0.,])(?:${escaped.join("|")})(?![\\d\\0]|[.,]\\d)`, "g");
}
