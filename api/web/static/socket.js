// The chat WebSocket. It reconnects with capped exponential backoff and,
// on every (re)open, asks the owner what to resume (`resumeFrom()` returns
// {turn_id, after} for the running turn), so a turn continues where the
// last seen `seq` left off. A refused handshake renews the access token
// first. A ping every 20 s notices a dead connection within 10 s more.

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;

export class ChatSocket {
  constructor({ session, onEvent, onStatus, resumeFrom }) {
    this.session = session;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.resumeFrom = resumeFrom;
    this.ws = null;
    this.attempt = 0;
    this.stopped = true;
    this.queued = [];
    this.status = "offline";
    this.timers = {};
    this.generation = 0; // increments per opened connection
    window.addEventListener("online", () => this.reconnectNow());
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.queued = [];
    this.clearTimers();
    this.drop();
    this.setStatus("offline");
  }

  // Sends now; or, with `queue`, when the socket is next open.
  send(message, { queue = false } = {}) {
    if (this.open) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    if (queue) this.queued.push(message);
    return false;
  }

  reconnectNow() {
    if (this.stopped || this.open) return;
    this.clearTimers();
    this.drop();
    this.connect();
  }

  // Forgets the current socket without triggering a reconnect.
  drop() {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    ws.close();
  }

  async connect() {
    this.setStatus(this.attempt ? "reconnecting" : "connecting");
    let token;
    try {
      token = await this.session.accessToken();
    } catch {
      if (this.session.signedIn) this.retry(false);
      return;
    }
    if (!token || this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/ws/chat?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.generation++;
      this.setStatus("online");
      this.heartbeat();
      const resume = this.resumeFrom();
      if (resume) this.send({ type: "resume", ...resume });
      for (const message of this.queued.splice(0)) this.send(message);
    };
    ws.onmessage = (message) => {
      this.lastHeard = Date.now();
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type !== "pong") this.onEvent(event);
    };
    ws.onclose = (close) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.stopped) return;
      // Never opened, or closed for a bad token: the token is the suspect.
      this.retry(!opened || close.code === 4401, token);
    };
  }

  retry(renew, token) {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const jittered = Math.round(delay * (0.5 + Math.random() / 2));
    this.attempt++;
    this.setStatus("reconnecting", jittered);
    this.timers.retry = setTimeout(async () => {
      if (renew && token) {
        try {
          await this.session.refreshAfterRejection(token);
        } catch {
          if (!this.session.signedIn) return; // the session ended; app shows sign-in
        }
      }
      if (!this.stopped) this.connect();
    }, jittered);
  }

  heartbeat() {
    this.timers.ping = setInterval(() => {
      const sentAt = Date.now();
      if (!this.send({ type: "ping" })) return;
      this.timers.pong = setTimeout(() => {
        if ((this.lastHeard || 0) >= sentAt) return;
        this.clearTimers();
        this.drop();
        this.retry(false);
      }, PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  clearTimers() {
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    this.timers = {};
  }

  setStatus(status, delayMs = 0) {
    this.status = status;
    this.onStatus?.(status, delayMs);
  }
}
