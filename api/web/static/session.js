// The signed-in session: tokens in sessionStorage (one tab, one session, so
// two tabs never race to rotate the same single-use refresh token).
// The access token is renewed a minute before it expires, and at once when
// the API rejects it; concurrent callers share one refresh.

import { ApiError, rawRequest } from "./api.js";

const KEY = "kubera.session";
const RENEW_BEFORE_MS = 60_000;

let state = load();
let inFlight = null;
let timer = null;
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

function store(next) {
  state = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  schedule();
  for (const listener of listeners) listener(state);
}

function schedule() {
  clearTimeout(timer);
  if (!state) return;
  const wait = Math.max(state.expires_at - RENEW_BEFORE_MS - Date.now(), 1_000);
  timer = setTimeout(() => refresh().catch(() => {}), wait);
}

function withExpiry(tokens) {
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + tokens.expires_in * 1000,
    user: tokens.user || state?.user || null,
  };
}

async function renew() {
  const refreshToken = state?.refresh_token;
  if (!refreshToken) throw new ApiError(401, { detail: "Please sign in" });
  try {
    const tokens = await rawRequest("POST", "/auth/refresh", { refresh_token: refreshToken });
    if (state?.refresh_token === refreshToken) store(withExpiry(tokens));
  } catch (error) {
    // Only a refusal ends the session; a network failure is retried later.
    if (error.status === 401 || error.status === 403) store(null);
    throw error;
  }
}

function refresh() {
  inFlight ??= renew().finally(() => (inFlight = null));
  return inFlight;
}

export const session = {
  get signedIn() {
    return Boolean(state);
  },
  get user() {
    return state?.user || null;
  },
  get refreshToken() {
    return state?.refresh_token || null;
  },
  start(authOut) {
    store(withExpiry(authOut));
  },
  setUser(user) {
    if (state) store({ ...state, user });
  },
  end() {
    store(null);
  },
  refresh,
  async accessToken() {
    if (!state) return null;
    if (Date.now() > state.expires_at - RENEW_BEFORE_MS) await refresh();
    return state?.access_token || null;
  },
  // The API refused `token`: renew unless someone already did.
  async refreshAfterRejection(token) {
    if (state && state.access_token === token) await refresh();
    if (!state) throw new ApiError(401, { detail: "Your session ended; please sign in again" });
  },
  onChange(listener) {
    listeners.add(listener);
  },
};

schedule();
