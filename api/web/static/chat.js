// The chat page: the list of chats, the conversation and the composer.
// One instance lives as long as the session, so an answer keeps streaming
// while another page is open. The running turn ({turn_id, chat_id, last_seq})
// is kept in sessionStorage: after a reload the page reopens that chat and
// replays the turn from the start (resume after=0).

import { Answer } from "./answer.js";
import { api } from "./api.js";
import { announce, confirmDialog, el, field, formDialog } from "./ui.js";

const TURN_KEY = "kubera.turn";
const MAX_MESSAGE_CHARS = 4000;
const SUGGESTIONS = ["Analyse INFY", "Compare TCS and INFY", "Chart of RELIANCE", "Price of ITC"];
const LIMIT_NAMES = {
  burst: "per-minute limit",
  per_chat: "limit for this chat",
  hourly: "hourly limit",
  daily: "daily limit",
};

export class ChatPage {
  constructor() {
    this.socket = null; // set by app.js
    this.chatId = null;
    this.chats = [];
    this.running = null; // {turnId, chatId, answer}
    this.pending = null; // a sent message awaiting turn_started: {text, bubble}
    this.view = null;
    this.restore();
  }

  // --- the running turn -------------------------------------------------

  restore() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(TURN_KEY));
    } catch {
      saved = null;
    }
    if (!saved?.turn_id) return;
    // Replayed from seq 0 into a fresh answer, so nothing shows twice.
    this.running = { turnId: saved.turn_id, chatId: saved.chat_id, answer: new Answer(saved.turn_id) };
  }

  get resumeChatId() {
    return this.running?.chatId || null;
  }

  persist() {
    if (!this.running) return sessionStorage.removeItem(TURN_KEY);
    const { turnId, chatId, answer } = this.running;
    sessionStorage.setItem(
      TURN_KEY,
      JSON.stringify({ turn_id: turnId, chat_id: chatId, last_seq: answer.lastSeq }),
    );
  }

  resumeFrom() {
    if (!this.running) return null;
    return { turn_id: this.running.turnId, after: this.running.answer.lastSeq };
  }

  forget() {
    this.running = null;
    this.pending = null;
    sessionStorage.removeItem(TURN_KEY);
  }

  onEvent(event) {
    if (event.type === "turn_started" && this.pending && !this.running) {
      return this.started(event);
    }
    if (event.type === "error" && typeof event.seq !== "number") return this.refused(event);
    if (!this.running || event.turn_id !== this.running.turnId) return;
    const final = this.running.answer.apply(event);
    if (final) return this.finished(event);
    this.persist();
    this.scrollDown();
  }

  started(event) {
    const answer = new Answer(event.turn_id);
    answer.apply(event);
    this.running = { turnId: event.turn_id, chatId: event.chat_id, answer };
    this.pending = null;
    this.persist();
    if (!this.chatId || this.chatId === event.chat_id) {
      if (!this.chatId) {
        this.chatId = event.chat_id;
        history.replaceState(null, "", `#/chat/${event.chat_id}`);
      }
      this.view?.messages.append(answer.node);
      this.scrollDown();
    }
    announce("Kubera is answering");
    this.loadList();
    this.syncComposer();
  }

  finished(event) {
    const cancelled = event.metadata?.status === "cancelled";
    this.running = null;
    this.persist();
    announce(cancelled ? "Answer stopped" : "Answer ready");
    this.loadList();
    this.syncComposer();
    this.scrollDown();
  }

  // An error about a request (not part of a turn's stream).
  refused(event) {
    if (this.pending && !this.running) {
      const { text, bubble } = this.pending;
      this.pending = null;
      bubble.remove();
      if (this.view && !this.view.input.value) this.view.input.value = text;
      this.note(refusalText(event));
    } else if (this.running && event.turn_id === this.running.turnId && event.code === "NOT_FOUND") {
      this.forget(); // the turn's events expired: the stored chat is the truth
      if (this.chatId) this.open(this.chatId);
    } else {
      this.note(event.message || "Something went wrong.");
    }
    this.syncComposer();
  }

  // --- the page ---------------------------------------------------------

  mount(root, chatId) {
    const input = el("textarea", {
      id: "prompt",
      name: "message",
      rows: 2,
      maxlength: MAX_MESSAGE_CHARS,
      placeholder: "Ask about an NSE or BSE stock, e.g. Analyse INFY",
      "aria-describedby": "prompt-hint",
    });
    const send = el("button", { type: "submit", class: "send", text: "Send" });
    const stop = el("button", { type: "button", class: "stop danger", text: "Stop", hidden: true });
    const form = el(
      "form",
      { class: "composer", "aria-label": "Ask Kubera" },
      el("label", { for: "prompt", class: "sr-only", text: "Message to Kubera" }),
      input,
      el("div", { class: "composer-actions" }, send, stop),
    );
    const toggle = el("button", {
      type: "button",
      class: "list-toggle secondary",
      "aria-controls": "chat-list",
      "aria-expanded": "false",
      text: "Chats",
    });
    const list = el("ul", { class: "chat-items" });
    const sidebar = el(
      "nav",
      { id: "chat-list", class: "sidebar", "aria-label": "Chats" },
      el("button", { type: "button", class: "new-chat", text: "+ New chat", onclick: () => this.go(null) }),
      list,
    );
    const title = el("h1", { class: "chat-title", tabindex: "-1", text: "New chat" });
    const status = el("span", { class: "conn", role: "status" });
    const messages = el("div", { class: "messages", "aria-label": "Conversation" });
    const note = el("p", { class: "composer-note", role: "alert", hidden: true });
    const hint = el("p", { id: "prompt-hint", class: "hint", text: "Enter to send · Shift+Enter for a new line" });
    const page = el(
      "div",
      { class: "chat-page" },
      sidebar,
      el(
        "section",
        { class: "conversation", "aria-labelledby": "chat-title" },
        el("header", { class: "chat-head" }, toggle, title, status),
        messages,
        el("div", { class: "composer-wrap" }, note, form, hint),
      ),
    );
    title.id = "chat-title";
    root.replaceChildren(page);
    this.view = { page, list, sidebar, toggle, title, status, messages, note, input, send, stop, form };
    this.wire();
    this.showStatus(this.socket?.status || "connecting");
    this.loadList();
    this.open(chatId);
  }

  unmount() {
    this.view = null;
  }

  wire() {
    const { form, input, stop, toggle, sidebar } = this.view;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send(input.value);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", () => this.syncComposer());
    stop.addEventListener("click", () => this.cancel());
    toggle.addEventListener("click", () => this.showList(toggle.getAttribute("aria-expanded") !== "true"));
    sidebar.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && sidebar.classList.contains("open")) {
        this.showList(false);
        toggle.focus();
      }
    });
  }

  showList(open) {
    const { sidebar, toggle } = this.view;
    sidebar.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open) sidebar.querySelector("a, button")?.focus();
  }

  go(chatId) {
    location.hash = chatId ? `#/chat/${chatId}` : "#/chat";
  }

  async open(chatId) {
    const view = this.view;
    this.chatId = chatId;
    this.markCurrent();
    view.note.hidden = true;
    if (!chatId) {
      view.title.textContent = "New chat";
      view.messages.replaceChildren(this.welcome());
      this.syncComposer();
      return;
    }
    view.messages.replaceChildren(el("p", { class: "muted", text: "Loading the conversation…" }));
    let chat;
    try {
      chat = await api.get(`/chats/${chatId}`);
    } catch (error) {
      if (this.view !== view || this.chatId !== chatId) return;
      view.messages.replaceChildren(el("p", { class: "muted", text: error.message }));
      return;
    }
    if (this.view !== view || this.chatId !== chatId) return;
    this.renderChat(chat);
  }

  renderChat(chat) {
    const { title, messages } = this.view;
    title.textContent = chat.title;
    document.title = `${chat.title} · Kubera`;
    messages.replaceChildren();
    for (const message of chat.messages) {
      if (message.role === "user") {
        messages.append(userBubble(message.content));
      } else if (message.role === "assistant") {
        if (this.running?.turnId === message.turn_id) this.forget(); // it finished meanwhile
        messages.append(Answer.fromStored(message).node);
      }
    }
    if (this.running?.chatId === chat.id) messages.append(this.running.answer.node);
    this.syncComposer();
    this.scrollDown(true);
  }

  welcome() {
    return el(
      "div",
      { class: "welcome" },
      el("h2", { text: "What would you like to analyse?" }),
      el("p", {
        class: "muted",
        text: "Prices, fundamentals, technicals, news and charts for NSE and BSE listings.",
      }),
      el(
        "ul",
        { class: "suggestions", "aria-label": "Suggestions" },
        SUGGESTIONS.map((text) =>
          el("li", {}, el("button", { type: "button", class: "secondary", text, onclick: () => this.send(text) })),
        ),
      ),
    );
  }

  send(raw) {
    const text = raw.trim();
    if (!text || this.pending || this.running) return;
    const sent = this.socket.send({ type: "message", chat_id: this.chatId, message: text });
    if (!sent) {
      this.note("Not connected yet; Kubera is reconnecting. Try again in a moment.");
      return;
    }
    this.view.messages.querySelector(".welcome")?.remove();
    const bubble = userBubble(text);
    this.view.messages.append(bubble);
    this.pending = { text, bubble };
    this.view.input.value = "";
    this.view.note.hidden = true;
    this.syncComposer();
    this.scrollDown(true);
  }

  cancel() {
    if (!this.running) return;
    this.socket.send({ type: "cancel", turn_id: this.running.turnId }, { queue: true });
    this.view.stop.disabled = true;
    this.view.stop.textContent = "Stopping…";
  }

  note(text) {
    if (!this.view) return;
    this.view.note.textContent = text;
    this.view.note.hidden = false;
  }

  syncComposer() {
    if (!this.view) return;
    const { send, stop, input } = this.view;
    const busy = Boolean(this.pending || this.running);
    send.hidden = Boolean(this.running);
    stop.hidden = !this.running;
    if (!this.running) {
      stop.disabled = false;
      stop.textContent = "Stop";
    }
    send.disabled = busy || !this.socket?.open || !input.value.trim();
  }

  showStatus(status, delayMs = 0) {
    if (!this.view) return;
    const text = {
      online: "",
      connecting: "Connecting…",
      reconnecting: `Connection lost; reconnecting${delayMs ? ` in ${Math.ceil(delayMs / 1000)} s` : "…"}`,
      offline: "Offline",
    }[status];
    this.view.status.textContent = text ?? "";
    this.view.status.hidden = !text;
    this.syncComposer();
  }

  scrollDown(force = false) {
    const box = this.view?.messages;
    if (!box) return;
    const near = box.scrollHeight - box.scrollTop - box.clientHeight < 160;
    if (force || near) box.scrollTop = box.scrollHeight;
  }

  // --- the list of chats ------------------------------------------------

  async loadList() {
    try {
      this.chats = (await api.get("/chats/?size=50")).items;
    } catch {
      return;
    }
    this.renderList();
  }

  renderList() {
    if (!this.view) return;
    const items = this.chats.map((chat) => {
      const name = chat.title || "Untitled chat";
      return el(
        "li",
        { class: "chat-item", "data-chat-id": chat.id },
        el("a", { href: `#/chat/${chat.id}`, text: name, onclick: () => this.showList(false) }),
        el("button", {
          type: "button",
          class: "icon",
          "aria-label": `Rename chat: ${name}`,
          title: "Rename",
          text: "✎",
          onclick: () => this.rename(chat),
        }),
        el("button", {
          type: "button",
          class: "icon",
          "aria-label": `Delete chat: ${name}`,
          title: "Delete",
          text: "🗑",
          onclick: () => this.remove(chat),
        }),
      );
    });
    this.view.list.replaceChildren(
      ...(items.length ? items : [el("li", { class: "muted empty", text: "No chats yet" })]),
    );
    this.markCurrent();
  }

  markCurrent() {
    for (const link of this.view?.list.querySelectorAll("a") || []) {
      const current = link.getAttribute("href") === `#/chat/${this.chatId}`;
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  rename(chat) {
    formDialog(
      "Rename chat",
      field("Title", { name: "title", value: chat.title, maxlength: 120, required: true }),
      "Save",
      async ({ title }) => {
        const saved = await api.put(`/chats/${chat.id}/rename`, { title });
        if (this.chatId === chat.id && this.view) this.view.title.textContent = saved.title;
        announce("Chat renamed");
        await this.loadList();
      },
    );
  }

  async remove(chat) {
    const ok = await confirmDialog(
      "Delete chat?",
      `“${chat.title}” and all its messages will be deleted. This cannot be undone.`,
      "Delete chat",
    );
    if (!ok) return;
    try {
      await api.del(`/chats/${chat.id}`);
    } catch (error) {
      this.note(error.message);
      return;
    }
    announce("Chat deleted");
    if (this.running?.chatId === chat.id) this.forget();
    if (this.chatId === chat.id) this.go(null);
    await this.loadList();
  }
}

function userBubble(text) {
  return el(
    "article",
    { class: "msg user", "aria-label": "Your message" },
    el("p", { class: "who", text: "You" }),
    el("p", { class: "user-text", text }),
  );
}

function refusalText(event) {
  if (event.code === "RATE_LIMITED") {
    const name = LIMIT_NAMES[event.level] || "usage limit";
    const limit = event.limit ? ` (${event.limit} messages)` : "";
    const wait = event.retry_after_s;
    const at = wait ? new Date(Date.now() + wait * 1000).toLocaleTimeString("en-IN") : null;
    const retry = wait ? ` Try again in ${wait} s (at ${at}).` : " Try again later.";
    return `You have reached your ${name}${limit}.${retry}`;
  }
  return event.message || "Kubera could not take this message.";
}
