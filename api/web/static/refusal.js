// How a refused message reads: a rate limit names the limit, its size and
// when to try again (in words and as a clock time); other refusals pass the
// API's own message on.

const LIMIT_NAMES = {
  burst: "per-minute limit",
  per_chat: "limit for this chat",
  hourly: "hourly limit",
  daily: "daily limit",
};

export function refusalText(event) {
  if (event.code !== "RATE_LIMITED") return event.message || "Kubera could not take this message.";
  const name = LIMIT_NAMES[event.level] || "usage limit";
  const limit = event.limit ? ` of ${event.limit} message${event.limit === 1 ? "" : "s"}` : "";
  const waitS = event.retry_after_s;
  if (!waitS) return `You have reached your ${name}${limit}. Try again later.`;
  const at = new Date(Date.now() + waitS * 1000).toLocaleTimeString("en-IN", {
    hour: "2-digit",
    minute: "2-digit",
  });
  return `You have reached your ${name}${limit}. Try again in ${waitText(waitS)} (at ${at}).`;
}

// 42 → "42 s", 300 → "5 min", 5400 → "1 h 30 min".
function waitText(seconds) {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
