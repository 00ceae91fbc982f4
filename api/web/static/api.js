// HTTP client for the Kubera API. Errors arrive as problem details
// ({detail, code, errors[{field, message}], retry_after_s}) and are thrown
// as ApiError. A 401 for the token refreshes the session once and retries
// once, so an expired access token never reaches the user.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `Request failed (${status})`);
    this.status = status;
    this.code = body?.code || "ERROR";
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    this.retryAfterS = body?.retry_after_s ?? null;
  }
}

export async function rawRequest(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      detail: "Cannot reach Kubera; check your connection and try again",
      code: "NETWORK",
    });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

let session = null;

export function useSession(value) {
  session = value;
}

export async function request(method, path, body) {
  const token = await session.accessToken();
  try {
    return await rawRequest(method, path, body, token);
  } catch (error) {
    // A 401 that names a field (a wrong current password) is about the
    // input, not the token.
    if (error.status !== 401 || !token || error.errors.length) throw error;
    await session.refreshAfterRejection(token);
    return rawRequest(method, path, body, await session.accessToken());
  }
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  del: (path) => request("DELETE", path),
};
