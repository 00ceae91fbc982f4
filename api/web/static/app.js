// Entry point: wires the session, the chat socket and the hash router.
// Routes: #/signin #/signup #/forgot (signed out); #/chat[/<id>]
// #/portfolio #/alerts #/settings (signed in).

import { alertsView } from "./alerts.js";
import { useSession } from "./api.js";
import { forgotView, signInView, signOut, signUpView } from "./auth.js";
import { ChatPage } from "./chat.js";
import { portfolioView } from "./portfolio.js";
import { session } from "./session.js";
import { settingsView } from "./settings.js";
import { ChatSocket } from "./socket.js";
import { el } from "./ui.js";

useSession(session);

const root = document.getElementById("app");
const chat = new ChatPage();
const socket = new ChatSocket({
  session,
  onEvent: (event) => chat.onEvent(event),
  onStatus: (status, delayMs) => chat.showStatus(status, delayMs),
  resumeFrom: () => chat.resumeFrom(),
});
chat.socket = socket;
window.kubera = { socket }; // for the dev console and the browser tests

const PUBLIC = new Set(["signin", "signup", "forgot"]);
const NAV = [
  ["chat", "Chat"],
  ["portfolio", "Portfolio"],
  ["alerts", "Alerts"],
  ["settings", "Settings"],
];
let shell = null; // {main, links} while signed in
let current = { page: null, cleanup: null };
let flash = "";

function parse() {
  const [page = "", arg = null] = location.hash.replace(/^#\/?/, "").split("/");
  return { page, arg };
}

function route() {
  if (location.hash && !location.hash.startsWith("#/")) return; // an in-page anchor
  const { page, arg } = parse();
  if (!session.signedIn) {
    shell = null;
    if (!PUBLIC.has(page)) return location.replace("#/signin");
    return showPublic(page);
  }
  if (!page || PUBLIC.has(page) || !NAV.some(([name]) => name === page)) {
    return location.replace("#/chat");
  }
  showPrivate(page, arg);
}

function showPublic(page) {
  current.cleanup?.();
  current = { page, cleanup: null };
  const views = { signin: signInView, signup: signUpView, forgot: forgotView };
  views[page](root, () => {
    flash = "";
    location.hash = "#/chat";
  });
  if (flash && page === "signin") {
    root.querySelector("form")?.before(el("p", { class: "ok", role: "status", text: flash }));
  }
  document.title = "Kubera · AI stock analysis for Indian markets";
}

function buildShell() {
  const links = new Map();
  const nav = el(
    "nav",
    { class: "main-nav", "aria-label": "Main" },
    NAV.map(([name, label]) => {
      const link = el("a", { href: `#/${name}`, text: label });
      links.set(name, link);
      return link;
    }),
  );
  const signOutButton = el("button", { type: "button", class: "secondary small", text: "Sign out" });
  signOutButton.addEventListener("click", () => signOut());
  const main = el("main", { id: "main", tabindex: "-1" });
  root.replaceChildren(
    el(
      "header",
      { class: "topbar" },
      el("a", { class: "brand", href: "#/chat", "aria-label": "Kubera home" }, el("span", { "aria-hidden": "true", text: "◆ " }), "Kubera"),
      nav,
      el("div", { class: "who-am-i" }, el("span", { class: "user-name", text: session.user?.username || "" }), signOutButton),
    ),
    main,
  );
  return { main, links };
}

function showPrivate(page, arg) {
  shell ??= buildShell();
  for (const [name, link] of shell.links) {
    if (name === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (page === "chat" && current.page === "chat" && chat.view) {
    chat.open(arg);
    shell.main.querySelector("#prompt")?.focus();
    return;
  }
  current.cleanup?.();
  current = { page, cleanup: null };
  if (page === "chat") {
    chat.mount(shell.main, arg);
    current.cleanup = () => chat.unmount();
    shell.main.querySelector("#prompt")?.focus();
    document.title = "Chat · Kubera";
    return;
  }
  const views = {
    portfolio: () => portfolioView(shell.main),
    alerts: () => alertsView(shell.main),
    settings: () => settingsView(shell.main, { onSignedOut: (text) => (flash = text) }),
  };
  current.cleanup = views[page]() || null;
  if (typeof current.cleanup !== "function") current.cleanup = null;
  document.title = `${page[0].toUpperCase()}${page.slice(1)} · Kubera`;
  shell.main.querySelector("h1")?.focus();
}

session.onChange((state) => {
  if (state) {
    socket.start();
    return;
  }
  socket.stop();
  chat.reset();
  current.cleanup?.();
  current = { page: null, cleanup: null };
  shell = null;
  if (parse().page === "signin") route();
  else location.hash = "#/signin";
});

document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main")?.focus();
});
window.addEventListener("hashchange", route);

if (session.signedIn) {
  socket.start();
  // A turn was running when the page unloaded: reopen its chat to resume it.
  if (chat.resumeChatId) history.replaceState(null, "", `#/chat/${chat.resumeChatId}`);
} else {
  chat.forget();
}
route();
