// Signing in, signing up (email → emailed code → username and password) and
// recovering a forgotten password. Every refusal shows the API's own
// `detail`, and its `errors[]` under the fields they name.

import { api, rawRequest } from "./api.js";
import { session } from "./session.js";
import { announce, el, field, formError, formValues, submitting } from "./ui.js";

const PASSWORD_HINT =
  "At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol.";

function card(title, intro, ...content) {
  const heading = el("h1", { tabindex: "-1", text: title });
  const node = el(
    "section",
    { class: "auth-card", "aria-labelledby": "auth-title" },
    el("p", { class: "brand-big", "aria-hidden": "true", text: "Kubera" }),
    heading,
    intro && el("p", { class: "muted", text: intro }),
    content,
  );
  heading.id = "auth-title";
  return node;
}

function authForm(fields, submitLabel, onSubmit) {
  const form = el(
    "form",
    { class: "stack", novalidate: true },
    formError(),
    fields,
    el("button", { type: "submit", class: "wide", text: submitLabel }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, () => onSubmit(formValues(form), form));
  });
  return form;
}

function mountCard(root, node) {
  root.replaceChildren(el("main", { id: "main", class: "auth-page", tabindex: "-1" }, node));
  (node.querySelector("input") || node.querySelector("h1")).focus();
}

export function signInView(root, onSignedIn) {
  const form = authForm(
    [
      field("Username or email", { name: "username", autocomplete: "username", required: true }),
      field("Password", {
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      }),
    ],
    "Sign in",
    async (values) => {
      session.start(await rawRequest("POST", "/auth/login", values));
      onSignedIn();
    },
  );
  mountCard(
    root,
    card(
      "Sign in",
      "AI stock analysis for Indian markets.",
      form,
      el(
        "p",
        { class: "switch" },
        el("a", { href: "#/signup", text: "Create an account" }),
        " · ",
        el("a", { href: "#/forgot", text: "Forgot your password?" }),
      ),
    ),
  );
}

export function signUpView(root, onSignedIn) {
  const state = { email: "" };
  const slot = el("div");
  const footer = el("p", { class: "switch" }, "Have an account? ", el("a", { href: "#/signin", text: "Sign in" }));
  const step = (n, title, content) => {
    slot.replaceChildren(el("p", { class: "step", text: `Step ${n} of 3` }), el("h2", { text: title }), content);
    slot.querySelector("input")?.focus();
    announce(`Step ${n} of 3: ${title}`);
  };

  const askEmail = () =>
    step(
      1,
      "Your email",
      authForm(
        [field("Email", { name: "email", type: "email", autocomplete: "email", required: true, value: state.email })],
        "Send me a code",
        async ({ email }) => {
          await rawRequest("POST", "/auth/register/step1", { email });
          state.email = email;
          askCode();
        },
      ),
    );

  const askCode = () => {
    const resend = el("button", { type: "button", class: "link", text: "Send a new code" });
    const form = authForm(
      [
        el("p", { class: "ok", role: "status", text: `We emailed a 6-digit code to ${state.email}.` }),
        field(
          "Verification code",
          { name: "otp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, required: true },
          "The code is valid for a limited time; ask for a new one if it expired.",
        ),
      ],
      "Verify",
      async ({ otp }) => {
        await rawRequest("POST", "/auth/register/step2", { email: state.email, otp });
        askAccount();
      },
    );
    resend.addEventListener("click", () =>
      submitting(form, async () => {
        await rawRequest("POST", "/auth/register/step1", { email: state.email });
        announce("A new code was sent");
        form.querySelector("[role=status]").textContent = `We emailed a new code to ${state.email}.`;
      }),
    );
    const back = el("button", { type: "button", class: "link", text: "Use another email", onclick: askEmail });
    step(2, "Check your email", el("div", {}, form, el("p", { class: "switch" }, resend, " · ", back)));
  };

  const askAccount = () => {
    const username = field(
      "Username",
      { name: "username", autocomplete: "username", required: true, maxlength: 30 },
      "3-30 letters, digits or _, starting with a letter.",
    );
    username.querySelector("input").addEventListener("change", (event) => checkUsername(event.target));
    step(
      3,
      "Choose a username and password",
      authForm(
        [
          username,
          field("Full name (optional)", { name: "full_name", autocomplete: "name", maxlength: 100 }),
          field("Password", { name: "password", type: "password", autocomplete: "new-password", required: true }, PASSWORD_HINT),
        ],
        "Create account",
        async (values) => {
          const body = { email: state.email, username: values.username, password: values.password };
          if (values.full_name) body.full_name = values.full_name;
          session.start(await rawRequest("POST", "/auth/register/step3", body));
          onSignedIn();
        },
      ),
    );
  };

  mountCard(root, card("Create your Kubera account", null, slot, footer));
  askEmail();
}

async function checkUsername(input) {
  const slot = document.getElementById(`${input.id}-error`);
  const name = input.value.trim();
  if (!name || !slot) return;
  try {
    const answer = await rawRequest("GET", `/auth/check-username/${encodeURIComponent(name)}`);
    if (input.value.trim() !== name) return;
    slot.textContent = answer.available ? "" : `Not available: ${answer.reason}`;
    if (answer.available) input.removeAttribute("aria-invalid");
    else input.setAttribute("aria-invalid", "true");
  } catch {
    // the form's own submit reports problems
  }
}

export function forgotView(root) {
  const slot = el("div");
  const askEmail = () => {
    slot.replaceChildren(
      authForm([field("Email", { name: "email", type: "email", autocomplete: "email", required: true })], "Send me a code", async ({ email }) => {
        await rawRequest("POST", "/auth/forgot-password/send-otp", { email });
        askCode(email);
      }),
    );
    slot.querySelector("input").focus();
  };
  const askCode = (email) => {
    slot.replaceChildren(
      el("p", { class: "ok", role: "status", text: `If ${email} has an account, a code is on its way.` }),
      authForm(
        [
          field("Code from the email", { name: "otp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, required: true }),
          field("New password", { name: "new_password", type: "password", autocomplete: "new-password", required: true }, PASSWORD_HINT),
        ],
        "Set new password",
        async ({ otp, new_password: newPassword }) => {
          await rawRequest("POST", "/auth/forgot-password/confirm", { email, otp, new_password: newPassword });
          location.hash = "#/signin";
          announce("Password changed; sign in with the new password");
        },
      ),
    );
    slot.querySelector("input").focus();
  };
  mountCard(
    root,
    card("Reset your password", "We will email you a code.", slot, el("p", { class: "switch" }, el("a", { href: "#/signin", text: "Back to sign in" }))),
  );
  askEmail();
}

// Ends this sign-in on the server too; the local session ends either way.
export async function signOut() {
  const refreshToken = session.refreshToken;
  try {
    if (refreshToken) await api.post("/auth/logout", { refresh_token: refreshToken });
  } catch {
    // offline or already expired: nothing more to revoke from here
  }
  session.end();
}
