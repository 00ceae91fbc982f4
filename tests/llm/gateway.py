"""A local stand-in for an OpenAI-compatible chat-completions server: a raw
ASGI app under uvicorn, scripted one reply per request, recording requests.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn

DONE = "data: [DONE]\n\n"
KEEP_ALIVE = ": keep-alive\n\n"


def data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def chunk(
    delta: dict[str, Any] | None = None,
    finish_reason: str | None = None,
    usage: dict[str, int] | None = None,
) -> str:
    """One `chat.completion.chunk`; with only `usage` it is the final usage
    chunk, which carries no choices."""
    payload: dict[str, Any] = {"id": "gen-1", "object": "chat.completion.chunk"}
    payload["model"] = "stand-in/model-v1"
    payload["choices"] = (
        []
        if delta is None and finish_reason is None
        else [{"index": 0, "delta": delta or {}, "finish_reason": finish_reason}]
    )
    if usage is not None:
        payload["usage"] = usage
    return data(payload)


def text_stream(*pieces: str) -> list[str]:
    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"content": piece}) for piece in pieces]
    return [*frames, chunk(finish_reason="stop"), DONE]


def _cut(text: str, pieces: int) -> list[str]:
    size = -(-len(text) // pieces)  # ceiling division: never more than `pieces`
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def tool_call_frames(*calls: tuple[str, str, dict[str, Any]], pieces: int = 3) -> list[str]:
    """One model step asking for `calls` (id, name, arguments) as OpenRouter
    streams them: each call announced with its id and name, then every call's
    JSON arguments cut into `pieces` fragments, the calls' fragments interleaved."""
    frames = [chunk({"role": "assistant", "content": None})]
    for index, (call_id, name, _) in enumerate(calls):
        function = {"name": name, "arguments": ""}
        fragment = {"index": index, "id": call_id, "type": "function", "function": function}
        frames.append(chunk({"tool_calls": [fragment]}))
    cut = [_cut(json.dumps(arguments), pieces) for _, _, arguments in calls]
    for piece in range(max(len(c) for c in cut)):
        for index, fragments in enumerate(cut):
            if piece < len(fragments):
                fragment = {"index": index, "function": {"arguments": fragments[piece]}}
                frames.append(chunk({"tool_calls": [fragment]}))
    usage = {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132}
    return [*frames, chunk(finish_reason="tool_calls"), chunk(usage=usage), DONE]


@dataclass
class Reply:
    """What the stand-in answers to one request.

    `frames` are raw SSE frames sent in order; with `drop_after` the connection
    is cut after that many frames; with `hold_after` the server waits for the
    client to go away after that many frames, and records that it did.
    """

    status: int = 200
    frames: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    drop_after: int | None = None
    hold_after: int | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    client: tuple[str, int] | None = None  # the connection's far end


class Gateway:
    def __init__(self) -> None:
        self.url = ""
        self.replies: deque[Reply] = deque()
        self.requests: list[Seen] = []
        self.client_left = threading.Event()

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def reset(self) -> None:
        self.replies.clear()
        self.requests.clear()
        self.client_left.clear()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        seen = Seen(scope["path"], headers, json.loads(body or b"{}"), scope.get("client"))
        self.requests.append(seen)
        reply = (
            self.replies.popleft() if self.replies else Reply(500, error={"message": "unscripted"})
        )
        if reply.status != 200:
            await _send_error(send, reply)
        else:
            await self._send_stream(send, reply, receive)

    async def _send_stream(self, send: Any, reply: Reply, receive: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for number, frame in enumerate(reply.frames):
            if number == reply.drop_after:
                raise ConnectionAbortedError("stand-in drops the stream on purpose")
            if number == reply.hold_after:
                while (await receive())["type"] != "http.disconnect":
                    pass
                self.client_left.set()
                return
            await send({"type": "http.response.body", "body": frame.encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _send_error(send: Any, reply: Reply) -> None:
    body = json.dumps({"error": reply.error or {"message": "error"}}).encode()
    headers = [(b"content-type", b"application/json")]
    headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve(gateway: Gateway) -> tuple[uvicorn.Server, threading.Thread]:
    """Serve `gateway` on a free 127.0.0.1 port in a thread; sets `gateway.url`."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        gateway, lifespan="off", log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="llm-stand-in"
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # readiness, bounded by the deadline
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the stand-in gateway did not start")
        time.sleep(0.01)
    gateway.url = f"http://127.0.0.1:{port}/v1"
    return server, thread
