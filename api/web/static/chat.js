// The chat page: the list of chats, the conversation and the composer.
// One instance lives as long as the session, so an answer keeps streaming
// while another page is open. The running turn ({turn_id, chat_id, last_seq})
// is kept in sessionStorage: after a reload the page reopens that chat and
// replays the turn from the start (resume after=0).

import { Answer } from "./answer.js";
import { api } from "./api.js";
import { ChatList } from "./chatlist.js";
import { refusalText } from "./refusal.js";
import { announce, el } from "./ui.js";

const TURN_KEY = "kubera.turn";
const MAX_MESSAGE_CHARS = 4000;
// Within this many pixels of the bottom the pane keeps following new text.
const FOLLOW_WITHIN_PX = 48;
const SUGGESTIONS = ["Analyse INFY", "Compare TCS and INFY", "Chart of RELIANCE", "Price of ITC"];

export class ChatPage {
  constructor() {
    this.socket = null; // set by app.js
    this.chatId = null;
    this.list = new ChatList({
      onPick: () => this.showList(false),
      onRenamed: (chat) => this.retitle(chat),
      onDeleted: (chat) => this.deleted(chat),
      onError: (message) => this.note(message),
    });
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

  // The session ended: drop the running turn and the user's list of chats.
  reset() {
    this.forget();
    this.chatId = null;
    this.list.clear();
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
        this.list.markCurrent(event.chat_id);
      }
      this.view?.messages.append(answer.node);
      this.scrollDown();
    }
    announce("Kubera is answering");
    this.refreshList();
    this.syncComposer();
  }

  finished(event) {
    const cancelled = event.metadata?.status === "cancelled";
    this.running = null;
    this.persist();
    announce(cancelled ? "Answer stopped" : "Answer ready");
    this.refreshList();
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
    const sidebar = el(
      "nav",
      { id: "chat-list", class: "sidebar", "aria-label": "Chats" },
      el("button", { type: "button", class: "new-chat", text: "+ New chat", onclick: () => this.go(null) }),
      this.list.node,
    );
    const title = el("h1", { class: "chat-title", tabindex: "-1", text: "New chat" });
    const status = el("span", { class: "conn", role: "status" });
    // The pane scrolls; the thread inside it grows. Focusable, so the
    // keyboard can scroll it too.
    const messages = el("div", { class: "thread" });
    const scroller = el(
      "div",
      { class: "messages", role: "region", "aria-label": "Conversation", tabindex: "0" },
      messages,
    );
    const note = el("p", { class: "composer-note", role: "alert", hidden: true });
    const hint = el("p", { id: "prompt-hint", class: "hint", text: "Enter to send · Shift+Enter for a new line" });
    const conversation = el(
      "section",
      { class: "conversation", "aria-labelledby": "chat-title" },
      el("header", { class: "chat-head" }, toggle, title, status),
      scroller,
      el("div", { class: "composer-wrap" }, note, form, hint),
    );
    const page = el("div", { class: "chat-page" }, sidebar, conversation);
    title.id = "chat-title";
    root.replaceChildren(page);
    this.view = {
      page, sidebar, conversation, toggle, title, status,
      scroller, messages, note, input, send, stop, form,
    };
    this.follow = true;
    this.wire();
    this.showStatus(this.socket?.status || "connecting");
    this.refreshList();
    this.open(chatId);
  }

  unmount() {
    this.resized?.disconnect();
    this.view = null;
  }

  wire() {
    const { form, input, stop, toggle, sidebar, conversation, scroller, messages } = this.view;
    // Follow the answer as it grows (text, charts drawing) unless the
    // reader scrolled up to read something earlier.
    scroller.addEventListener("scroll", () => {
      this.follow = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < FOLLOW_WITHIN_PX;
    });
    this.resized = new ResizeObserver(() => this.scrollDown());
    this.resized.observe(messages);
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
    // On a phone the list covers the conversation: a tap beside it closes it.
    conversation.addEventListener("click", (event) => {
      if (sidebar.classList.contains("open") && !event.target.closest(".list-toggle")) {
        this.showList(false);
      }
    });
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
    this.list.markCurrent(chatId);
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
    const box = this.view?.scroller;
    if (!box) return;
    if (force) this.follow = true;
    if (this.follow) box.scrollTop = box.scrollHeight;
  }

  // --- the list of chats ------------------------------------------------

  async refreshList() {
    await this.list.load();
    const current = this.list.find(this.chatId);
    if (current) this.retitle(current);
  }

  retitle(chat) {
    if (!this.view || this.chatId !== chat.id) return;
    this.view.title.textContent = chat.title;
    document.title = `${chat.title} · Kubera`;
  }

  deleted(chat) {
    if (this.running?.chatId === chat.id) this.forget();
    if (this.chatId === chat.id) this.go(null);
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
