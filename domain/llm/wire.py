"""The request body of an OpenAI-compatible chat completion, as sent."""

from __future__ import annotations

import json
from typing import Any

from domain.llm.base import ChatMessage, ToolSpec


def _wire_message(message: ChatMessage) -> dict[str, Any]:
    if message.role == "tool":
        wire = {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "content": message.content or "",
        }
        if message.name:
            wire["name"] = message.name
        return wire
    if message.role == "assistant" and message.tool_calls:
        calls = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in message.tool_calls
        ]
        return {"role": "assistant", "content": message.content, "tool_calls": calls}
    return {"role": message.role, "content": message.content or ""}


def request_body(model: str, messages: list[ChatMessage]) -> dict[str, Any]:
    """The request without its tools (see `encode_body`)."""
    return {
        "model": model,
        "messages": [_wire_message(m) for m in messages],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def _wire_tool(tool: ToolSpec) -> dict[str, Any]:
    # The schema is shared, not copied: `asdict` deep-copied all 45 schemas
    # on every model step (1.2 ms) only for them to be serialised at once.
    function = {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
    return {"type": "function", "function": function}


def _json(value: Any) -> bytes:
    # As httpx encodes `json=`.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode()


class EncodedTools:
    """The tools' JSON, encoded again only when the tools change.

    A turn offers the same 45 specs at every step, a third of a millisecond
    of encoding each time; the conversation in front of them changes."""

    def __init__(self) -> None:
        self._tools: tuple[ToolSpec, ...] = ()
        self._json = b"[]"

    def of(self, tools: list[ToolSpec]) -> bytes:
        same = len(tools) == len(self._tools) and all(
            new is old for new, old in zip(tools, self._tools, strict=True)
        )
        if not same:
            self._tools, self._json = tuple(tools), _json([_wire_tool(t) for t in tools])
        return self._json


def encode_body(model: str, messages: list[ChatMessage], tools_json: bytes | None) -> bytes:
    """The request as sent: `request_body`, then the tools, given encoded
    (see `EncodedTools`), with `tool_choice` auto; None offers no tools."""
    head = _json(request_body(model, messages))
    if tools_json is None:
        return head
    return head[:-1] + b',"tools":' + tools_json + b',"tool_choice":"auto"}'
