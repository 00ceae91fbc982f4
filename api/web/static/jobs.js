// Waits for a price refresh (`/portfolio/update-prices/<id>`) to end,
// reporting each state it passes through. Holdings and alerts both queue one.

import { api } from "./api.js";

// A refresh of a few symbols often ends within the first interval.
const FIRST_POLL_MS = 250;
const POLL_EVERY_MS = 1000;
const POLL_FOR_MS = 120_000;

// Resolves with the finished job, or null once `alive()` turns false or the
// job outlives POLL_FOR_MS. Rejects with the ApiError of a failed poll.
export function watchJob(jobId, { onUpdate = () => {}, alive = () => true } = {}) {
  const until = Date.now() + POLL_FOR_MS;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (!alive()) return resolve(null);
      let job;
      try {
        job = await api.get(`/portfolio/update-prices/${jobId}`);
      } catch (error) {
        return reject(error);
      }
      onUpdate(job);
      if (job.status === "done" || job.status === "failed") return resolve(job);
      if (Date.now() > until) return resolve(null);
      setTimeout(tick, POLL_EVERY_MS);
    };
    setTimeout(tick, FIRST_POLL_MS);
  });
}
