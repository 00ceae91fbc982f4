// The side list of chats: links to each chat, rename and delete. The page
// (chat.js) owns which chat is open; this list only shows and edits them.

import { api } from "./api.js";
import { announce, confirmDialog, el, field, formDialog, icon } from "./ui.js";

const LIST_SIZE = 50;

export class ChatList {
  // onRenamed(chat) and onDeleted(chat) after the API agreed;
  // onPick() when a link is followed; onError(message) when it refused.
  constructor({ onRenamed, onDeleted, onPick, onError }) {
    this.hooks = { onRenamed, onDeleted, onPick, onError };
    this.chats = [];
    this.currentId = null;
    this.node = el("ul", { class: "chat-items" });
  }

  // Signed out: nothing of this user's list may show to the next one.
  clear() {
    this.chats = [];
    this.currentId = null;
    this.node.replaceChildren();
  }

  find(chatId) {
    return this.chats.find((chat) => chat.id === chatId) || null;
  }

  async load() {
    try {
      this.chats = (await api.get(`/chats/?size=${LIST_SIZE}`)).items;
    } catch {
      return; // the list keeps what it showed; the page reports connection trouble
    }
    this.render();
  }

  render() {
    const items = this.chats.map((chat) => this.item(chat));
    this.node.replaceChildren(
      ...(items.length ? items : [el("li", { class: "muted empty", text: "No chats yet" })]),
    );
    this.markCurrent(this.currentId);
  }

  item(chat) {
    const name = chat.title || "Untitled chat";
    const button = (label, iconName, onclick) =>
      el(
        "button",
        { type: "button", class: "icon", "aria-label": `${label} chat: ${name}`, title: label, onclick },
        icon(iconName),
      );
    return el(
      "li",
      { class: "chat-item", "data-chat-id": chat.id },
      el("a", { href: `#/chat/${chat.id}`, title: name, text: name, onclick: () => this.hooks.onPick() }),
      button("Rename", "pencil", () => this.rename(chat)),
      button("Delete", "trash", () => this.remove(chat)),
    );
  }

  markCurrent(chatId) {
    this.currentId = chatId;
    for (const link of this.node.querySelectorAll("a")) {
      if (link.getAttribute("href") === `#/chat/${chatId}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  rename(chat) {
    let renamed = false;
    const box = formDialog(
      "Rename chat",
      field("Title", { name: "title", value: chat.title, maxlength: 120, required: true }),
      "Save",
      async ({ title }) => {
        const saved = await api.put(`/chats/${chat.id}/rename`, { title });
        announce("Chat renamed");
        this.hooks.onRenamed(saved);
        await this.load();
        renamed = true;
      },
    );
    // The list was redrawn: give focus to the new copy of the button.
    box.addEventListener("close", () => {
      if (renamed) this.node.querySelector(`[data-chat-id="${chat.id}"] button`)?.focus();
    });
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
      this.hooks.onError(error.message);
      return;
    }
    announce("Chat deleted");
    this.hooks.onDeleted(chat);
    await this.load();
  }
}
