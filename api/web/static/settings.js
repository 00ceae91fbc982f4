// Account settings: profile, username, password and email preferences.
// Each section is its own form; the API's messages show under its fields.

import { api } from "./api.js";
import { session } from "./session.js";
import { announce, el, field, formError, formValues, submitting } from "./ui.js";

const PREFERENCES = [
  ["account_updates", "Account updates"],
  ["rate_limit_alerts", "Usage limit warnings"],
  ["portfolio_reports", "Portfolio reports"],
  ["price_alerts", "Price alert emails"],
  ["system_notices", "Service notices"],
];
const FREQUENCIES = [
  ["none", "Never"],
  ["daily", "Daily"],
  ["weekly", "Weekly"],
  ["monthly", "Monthly"],
];

function section(title, intro, form) {
  const id = `settings-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return el(
    "section",
    { class: "panel", "aria-labelledby": id },
    el("h2", { id, text: title }),
    intro && el("p", { class: "muted", text: intro }),
    form,
  );
}

function settingsForm(fields, submitLabel, save) {
  const done = el("p", { class: "ok", role: "status" });
  const form = el(
    "form",
    { class: "stack", novalidate: true },
    formError(),
    fields,
    el("div", { class: "form-foot" }, el("button", { type: "submit", text: submitLabel }), done),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    done.textContent = "";
    submitting(form, async () => {
      done.textContent = (await save(formValues(form), form)) || "Saved";
    });
  });
  return form;
}

export async function settingsView(root, { onSignedOut }) {
  const heading = el("h1", { tabindex: "-1", text: "Settings" });
  const grid = el("div", { class: "settings-grid" }, el("p", { class: "muted", text: "Loading…" }));
  root.replaceChildren(el("section", { class: "page", "aria-labelledby": "settings-title" }, el("header", { class: "page-head" }, heading), grid));
  heading.id = "settings-title";
  let user;
  let prefs;
  try {
    [user, prefs] = await Promise.all([api.get("/user/profile"), api.get("/user/email-preferences")]);
  } catch (error) {
    grid.replaceChildren(el("p", { class: "form-error", text: error.message }));
    return;
  }
  grid.replaceChildren(
    profileSection(user),
    usernameSection(user),
    passwordSection(user, onSignedOut),
    preferencesSection(prefs),
  );
}

function profileSection(user) {
  return section(
    "Profile",
    `Signed in as ${user.email}.`,
    settingsForm(
      [
        field("Full name", { name: "full_name", value: user.full_name, autocomplete: "name", maxlength: 100 }),
        field("Phone", { name: "phone", type: "tel", value: user.phone, autocomplete: "tel" }, "Optional, e.g. +91 98765 43210."),
      ],
      "Save profile",
      async (values) => {
        const saved = await api.put("/user/profile", {
          full_name: values.full_name || null,
          phone: values.phone || null,
        });
        session.setUser(saved);
        return "Profile saved";
      },
    ),
  );
}

function usernameSection(user) {
  return section(
    "Username",
    null,
    settingsForm(
      [field("Username", { name: "new_username", value: user.username, autocomplete: "username", maxlength: 30 })],
      "Change username",
      async ({ new_username: newUsername }) => {
        const saved = await api.put("/user/username", { new_username: newUsername });
        session.setUser(saved);
        document.querySelector(".user-name")?.replaceChildren(saved.username);
        return `Your username is now ${saved.username}`;
      },
    ),
  );
}

function passwordSection(user, onSignedOut) {
  // Unnamed, so it is not sent: it tells password managers whose password this is.
  const account = el("input", { type: "text", autocomplete: "username", value: user.username, hidden: true, tabindex: "-1" });
  return section(
    "Password",
    "Changing it signs you out everywhere, including here.",
    settingsForm(
      [
        account,
        field("Current password", { name: "current_password", type: "password", autocomplete: "current-password" }),
        field(
          "New password",
          { name: "new_password", type: "password", autocomplete: "new-password" },
          "At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol.",
        ),
      ],
      "Change password",
      async (values) => {
        await api.put("/user/password", values);
        announce("Password changed. Sign in with the new password.");
        onSignedOut("Password changed. Sign in with your new password.");
        session.end();
        return "Password changed";
      },
    ),
  );
}

function preferencesSection(prefs) {
  const checks = PREFERENCES.map(([name, label]) =>
    field(label, { name, type: "checkbox", checked: prefs[name] }),
  );
  const frequency = field("Portfolio report frequency", {
    tag: "select",
    name: "report_frequency",
    value: prefs.report_frequency,
    options: FREQUENCIES,
  });
  const group = el("fieldset", {}, el("legend", { text: "Send me" }), checks);
  return section(
    "Email preferences",
    "Codes and security emails are always sent.",
    settingsForm([group, frequency], "Save preferences", async (values) => {
      await api.put("/user/email-preferences", values);
      return "Preferences saved";
    }),
  );
}
