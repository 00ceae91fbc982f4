"""A `ChatModel` over any OpenAI-compatible chat-completions endpoint:
OpenRouter by default, or Ollama, vLLM and llama.cpp's server by base URL.

One `stream` call is one streamed POST to `{base_url}/chat/completions`.
Rate limits (429), server errors (5xx), connect errors and timeouts are
retried with exponential backoff and jitter, but only until the first event
has been yielded: once text has reached the caller a retry would repeat it,
so a later failure raises `ModelUnavailable` and the caller keeps what it got.
Other refusals (400, 401, 402, 404, ...) fail at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from domain.llm.base import (
    ChatMessage,
    Finished,
    ModelUnavailable,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolSpec,
    Usage,
)
from domain.llm.wire import EncodedTools, encode_body
from domain.settings import LlmSettings

logger = logging.getLogger("kubera.llm")

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
# Attempts per model step, counting the first.
DEFAULT_MAX_ATTEMPTS = 4
# First retry waits about this long; each later one doubles it.
DEFAULT_BACKOFF_S = 0.5
# No single wait between attempts exceeds this.
DEFAULT_BACKOFF_CAP_S = 8.0
# A Retry-After beyond this is cut short: a chat turn cannot wait minutes.
DEFAULT_RETRY_AFTER_CAP_S = 30.0
# Reaching the gateway should be quick even when answering is slow.
DEFAULT_CONNECT_TIMEOUT_S = 10.0
# After [DONE], how long the rest of the body may take before the
# connection is dropped instead of reused (a well-behaved server ends at once).
DEFAULT_DRAIN_TIMEOUT_S = 0.5
# Shown on OpenRouter's activity page (their optional attribution headers).
DEFAULT_APP_TITLE = "Kubera"

_RETRY_STATUSES = frozenset({408, 429})
_REFUSALS = {
    401: "The model gateway refused the API key",
    402: "The model gateway account has run out of credits",
    403: "The model gateway refused access",
    404: "The model gateway does not know this model or URL",
}


class _Retryable(Exception):
    """An attempt failed in a way another attempt may not."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


def is_openrouter(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


def api_key_for(settings: LlmSettings) -> str:
    """LLM_API_KEY, else OPENROUTER_API_KEY, the latter only for OpenRouter
    itself so that key is never sent to another host; "" when there is none."""
    key = settings.api_key.get_secret_value()
    if key or not is_openrouter(settings.base_url):
        return key
    return settings.openrouter_api_key.get_secret_value()


def request_headers(base_url: str, api_key: str, app_url: str | None) -> dict[str, str]:
    headers = {"Accept": "text/event-stream"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if is_openrouter(base_url):
        headers["X-Title"] = DEFAULT_APP_TITLE
        if app_url:
            headers["HTTP-Referer"] = app_url
    return headers


def _parse_arguments(name: str, raw: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    # The loop can still report the call back to the model, which may fix it.
    logger.warning("llm tool arguments not a json object", extra={"tool": name, "chars": len(raw)})
    return {"_raw": raw}


@dataclass
class _PendingCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _StreamState:
    """What one streamed answer has said so far, beyond its text."""

    model: str
    calls: dict[int, _PendingCall] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    done: bool = False
    calls_sent: bool = False

    def add_call_fragment(self, fragment: dict[str, Any]) -> None:
        pending = self.calls.setdefault(self._slot(fragment), _PendingCall())
        pending.id = fragment.get("id") or pending.id
        function = fragment.get("function") or {}
        pending.name = function.get("name") or pending.name
        arguments = function.get("arguments")
        if isinstance(arguments, dict):
            pending.arguments = [json.dumps(arguments)]
        elif arguments:
            pending.arguments.append(arguments)

    def _slot(self, fragment: dict[str, Any]) -> int:
        if isinstance(index := fragment.get("index"), int):
            return index
        # Some servers omit the index: then a new id starts a new call.
        call_id = fragment.get("id")
        for known, pending in self.calls.items():
            if call_id and pending.id == call_id:
                return known
        if self.calls and not call_id:
            return max(self.calls)  # more of the latest call
        return len(self.calls)

    def take_calls(self) -> ToolCallsReady | None:
        if self.calls_sent or not self.calls:
            return None
        self.calls_sent = True
        calls = tuple(
            ToolCall(
                id=pending.id or f"call_{index}",
                name=pending.name,
                arguments=_parse_arguments(pending.name, "".join(pending.arguments)),
            )
            for index, pending in sorted(self.calls.items())
        )
        return ToolCallsReady(calls)

    def finished(self) -> Finished:
        reason = "tool_calls" if self.calls_sent else (self.finish_reason or "stop")
        return Finished(model=self.model, usage=self.usage, finish_reason=reason)


def _read_usage(raw: dict[str, Any]) -> Usage:
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )


def _apply_chunk(state: _StreamState, chunk: dict[str, Any]) -> list[StreamEvent]:
    if chunk.get("error"):
        # OpenRouter reports failures after the 200 as an error chunk.
        raise _Retryable("error chunk")
    state.model = chunk.get("model") or state.model
    if chunk.get("usage"):
        state.usage = _read_usage(chunk["usage"])
    events: list[StreamEvent] = []
    for choice in chunk.get("choices") or []:
        if choice.get("index", 0) != 0:
            continue
        delta = choice.get("delta") or {}
        if delta.get("content"):
            events.append(TextDelta(delta["content"]))
        for fragment in delta.get("tool_calls") or []:
            state.add_call_fragment(fragment)
        reason = choice.get("finish_reason")
        if reason == "error":
            raise _Retryable("finish_reason error")
        if reason:
            state.finish_reason = reason
        if reason == "tool_calls" and (ready := state.take_calls()):
            events.append(ready)
    return events


async def _read_events(response: httpx.Response, model: str) -> AsyncIterator[StreamEvent]:
    state = _StreamState(model=model)
    lines = response.aiter_lines()
    async for line in lines:
        # Blank lines end SSE events; ":" lines are comments and keep-alives.
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            state.done = True
            await _drain(lines)
            break
        try:
            chunk = json.loads(data)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict):
            logger.warning("llm stream line not a json object", extra={"chars": len(data)})
            continue
        for event in _apply_chunk(state, chunk):
            yield event
    if not state.done and state.finish_reason is None:
        raise _Retryable("stream ended early")
    if ready := state.take_calls():
        yield ready
    yield state.finished()


async def _drain(lines: AsyncIterator[str]) -> None:
    """Read the body to its end, so the connection goes back to the pool.

    httpx drops a connection whose response was closed unread: without this,
    every model step would open a new TCP (and TLS) connection.
    """
    try:
        async with asyncio.timeout(DEFAULT_DRAIN_TIMEOUT_S):
            async for _ in lines:
                pass
    except (TimeoutError, httpx.HTTPError):
        # Closing the response then drops the connection; the answer is whole.
        logger.debug("llm stream not drained after [DONE]")


def _retry_after_s(response: httpx.Response) -> float | None:
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None  # absent, or an HTTP date: fall back to our own backoff
    return min(max(seconds, 0.0), DEFAULT_RETRY_AFTER_CAP_S)


def _upstream_detail(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
        detail = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        detail = None
    return str(detail or response.text)[:300]


async def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    await response.aread()
    if status in _RETRY_STATUSES or status >= 500:
        raise _Retryable(f"HTTP {status}", _retry_after_s(response))
    detail = _upstream_detail(response)
    logger.warning("llm request refused", extra={"status": status, "detail": detail})
    text = _REFUSALS.get(status, "The model gateway rejected the request")
    raise ModelUnavailable(f"{text} (HTTP {status}).", status=status, detail=detail)


class OpenAICompatModel:
    """Streams answers from an OpenAI-compatible gateway.

    `client` lets a caller share one connection pool across model steps; by
    default each `stream` call opens and closes its own, which keeps the
    model usable from any event loop (workers may run a loop per job).
    """

    def __init__(
        self,
        settings: LlmSettings,
        *,
        client: httpx.AsyncClient | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_s: float = DEFAULT_BACKOFF_S,
        backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S,
        app_url: str | None = None,
    ) -> None:
        self.name = settings.model
        self.base_url = settings.base_url.rstrip("/")
        self._url = f"{self.base_url}/chat/completions"
        self._headers = request_headers(self.base_url, api_key_for(settings), app_url)
        self._headers["Content-Type"] = "application/json"
        self._tools = EncodedTools()
        self._timeout = httpx.Timeout(settings.timeout_s, connect=DEFAULT_CONNECT_TIMEOUT_S)
        self._client = client
        self._max_attempts = max(1, max_attempts)
        self._backoff_s = backoff_s
        self._backoff_cap_s = backoff_cap_s

    def __repr__(self) -> str:
        # Spelled out so the headers, and the key in them, never show up.
        return f"OpenAICompatModel(name={self.name!r}, base_url={self.base_url!r})"

    async def stream(
        self, messages: list[ChatMessage], tools: list[ToolSpec]
    ) -> AsyncIterator[StreamEvent]:
        body = encode_body(self.name, messages, self._tools.of(tools) if tools else None)
        async with self._client_scope() as client:
            for attempt in range(1, self._max_attempts + 1):
                yielded = False
                try:
                    async with aclosing(self._attempt(client, body, attempt)) as events:
                        async for event in events:
                            yielded = True
                            yield event
                    return
                except _Retryable as exc:
                    if yielded:
                        raise ModelUnavailable(
                            "The model stopped answering part-way through.", reason=exc.reason
                        ) from exc
                    if attempt == self._max_attempts:
                        raise ModelUnavailable(
                            f"The model did not answer after {attempt} attempts.",
                            reason=exc.reason,
                        ) from exc
                    await asyncio.sleep(self._delay_s(attempt, exc.retry_after_s))

    @asynccontextmanager
    async def _client_scope(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._client is not None:
            yield self._client
            return
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            yield client

    def _delay_s(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return retry_after_s
        ceiling = min(self._backoff_cap_s, self._backoff_s * 2 ** (attempt - 1))
        # Jitter spreads out workers that failed together.
        return random.uniform(ceiling / 2, ceiling)

    async def _attempt(
        self, client: httpx.AsyncClient, body: bytes, attempt: int
    ) -> AsyncIterator[StreamEvent]:
        started = time.monotonic()
        status: int | None = None
        outcome = "failed"
        try:
            async with client.stream(
                "POST", self._url, content=body, headers=self._headers, timeout=self._timeout
            ) as response:
                status = response.status_code
                await _check_status(response)
                async with aclosing(_read_events(response, self.name)) as events:
                    async for event in events:
                        yield event
            outcome = "ok"
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ModelUnavailable("The model gateway URL is not valid.") from exc
        except httpx.TransportError as exc:
            raise _Retryable(type(exc).__name__) from exc
        except httpx.HTTPError as exc:  # a body that cannot be decoded, say
            raise ModelUnavailable("The model gateway sent an unreadable answer.") from exc
        except (GeneratorExit, asyncio.CancelledError):
            outcome = "cancelled"
            raise
        finally:
            self._log_request(status, attempt, started, outcome)

    def _log_request(self, status: int | None, attempt: int, started: float, outcome: str) -> None:
        level = logging.INFO if outcome in ("ok", "cancelled") else logging.WARNING
        extra = {"model": self.name, "status": status, "attempt": attempt, "outcome": outcome}
        extra["duration_ms"] = round((time.monotonic() - started) * 1000)
        logger.log(level, "llm request", extra=extra)
