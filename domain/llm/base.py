"""The contract between the chat turn loop and whatever writes the answers: a
remote OpenAI-compatible model or the built-in offline analyst.

One call to `ChatModel.stream` is one model step. It yields text as it is
written, then either the tool calls the model wants (the loop runs them and
calls `stream` again with their results appended) or nothing more, and always
ends with `Finished`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from domain.errors import Unavailable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model; `parameters` is its JSON Schema."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # for role "tool": the call this answers
    name: str | None = None  # for role "tool": the tool's name


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallsReady:
    calls: tuple[ToolCall, ...]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Finished:
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"


StreamEvent = TextDelta | ToolCallsReady | Finished


class ChatModel(Protocol):
    """`name` goes into message metadata; `stream` is one model step."""

    name: str

    def stream(
        self, messages: list[ChatMessage], tools: list[ToolSpec]
    ) -> AsyncIterator[StreamEvent]: ...


class ModelUnavailable(Unavailable):
    """The model could not answer after retries and timeouts."""

    code = "LLM_UNAVAILABLE"
