"""OfflineAnalyst: the built-in ChatModel used when no LLM is configured.

Two steps per question. First it reads the last user message, plans tool
calls and yields them; once their results follow the message, it writes a
Markdown answer from them alone. A step with no tool to call (help, an unknown
company, no tools offered) answers at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from domain.analyst import replies
from domain.analyst.intents import recognise
from domain.analyst.plans import plan
from domain.analyst.results import collect, last_user_index
from domain.analyst.writer import write
from domain.llm.base import (
    ChatMessage,
    Finished,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolSpec,
    Usage,
)

log = logging.getLogger("kubera.analyst")

MODEL_NAME = "kubera-offline-analyst"
# The same rough estimate as the chat history budget: four characters a token.
CHARS_PER_TOKEN = 4


class OfflineAnalyst:
    """A ChatModel (domain.llm.base) that writes from tool results, with rules."""

    name = MODEL_NAME

    async def stream(
        self, messages: list[ChatMessage], tools: list[ToolSpec]
    ) -> AsyncIterator[StreamEvent]:
        index = last_user_index(messages)
        prompt = (messages[index].content or "") if index is not None else ""
        earlier = [m.content for m in messages[: index or 0] if m.role == "user" and m.content]
        intent = recognise(prompt, earlier)
        results = collect(messages)
        if results is None:
            calls = plan(intent, tools)
            if calls:
                log.debug("analyst planned", extra={"kind": intent.kind, "calls": len(calls)})
                yield ToolCallsReady(calls)
                yield Finished(self.name, _usage(messages, _as_text(calls)), "tool_calls")
                return
            answer = replies.without_results(intent, tools)
        else:
            answer = write(intent, results)
        log.debug("analyst answered", extra={"kind": intent.kind, "chars": len(answer)})
        for line in answer.splitlines(keepends=True):
            yield TextDelta(line)
        yield Finished(self.name, _usage(messages, answer))


def _usage(messages: list[ChatMessage], completion: str) -> Usage:
    prompt = sum(len(m.content or "") + len(_as_text(m.tool_calls)) for m in messages)
    return Usage(prompt // CHARS_PER_TOKEN, len(completion) // CHARS_PER_TOKEN)


def _as_text(calls: tuple[ToolCall, ...]) -> str:
    if not calls:
        return ""
    return json.dumps([{"name": c.name, "arguments": c.arguments} for c in calls])
