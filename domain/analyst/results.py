"""The tool results of the current turn, read back from the conversation.

The turn loop appends, after the user's message, an assistant message carrying
the calls and one `tool` message per call whose content is the result as JSON
(or `{"error": ...}` when the call failed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from domain.llm.base import ChatMessage, ToolCall


@dataclass(frozen=True)
class Outcome:
    """One call and what came of it: a result dict, or an error's text."""

    call: ToolCall
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def symbol(self) -> str | None:
        return self.call.arguments.get("symbol")


class Results:
    """Lookup over a turn's outcomes by tool name and symbol argument."""

    def __init__(self, outcomes: Sequence[Outcome]) -> None:
        self.outcomes = tuple(outcomes)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def get(self, tool: str, symbol: str | None = None) -> dict[str, Any] | None:
        """The first successful result of `tool` (for `symbol`, if given)."""
        for outcome in self.outcomes:
            if outcome.call.name != tool or outcome.result is None:
                continue
            if symbol is None or outcome.symbol == symbol:
                return outcome.result
        return None

    def succeeded(self) -> list[dict[str, Any]]:
        return [o.result for o in self.outcomes if o.result is not None]

    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]

    @property
    def any_demo(self) -> bool:
        return any(r.get("source") == "demo" for r in self.succeeded())


def last_user_index(messages: Sequence[ChatMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index
    return None


def collect(messages: Sequence[ChatMessage]) -> Results | None:
    """The outcomes after the last user message; None when no tool has answered yet."""
    start = last_user_index(messages)
    tail = messages[(start + 1) if start is not None else 0 :]
    calls = {call.id: call for m in tail if m.role == "assistant" for call in m.tool_calls}
    answers = [m for m in tail if m.role == "tool"]
    if not answers:
        return None
    outcomes = []
    for message in answers:
        call_id = message.tool_call_id or ""
        call = calls.get(call_id) or ToolCall(call_id, message.name or "tool", {})
        outcomes.append(_outcome(call, message.content))
    return Results(outcomes)


def _outcome(call: ToolCall, content: str | None) -> Outcome:
    try:
        payload = json.loads(content or "")
    except ValueError:
        return Outcome(call, error=(content or "the tool returned nothing").strip())
    if isinstance(payload, dict) and "error" in payload and "data" not in payload:
        return Outcome(call, error=str(payload["error"]))
    if not isinstance(payload, dict):
        return Outcome(call, error="the tool returned an unexpected result")
    return Outcome(call, result=payload)
