"""What the model sees of a chat: a system prompt, then as many of the latest
messages as fit the token budget, ending with the turn's own prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.chat.models import Message, MessageRole, Turn
from domain.llm.base import ChatMessage

# Roughly four characters per token for English and numbers.
CHARS_PER_TOKEN = 4
DEFAULT_HISTORY_TOKENS = 6000
# Earlier messages considered at most (older ones cannot fit anyway).
MAX_HISTORY_MESSAGES = 60

SYSTEM_PROMPT = """You are Kubera, a stock-analysis assistant for Indian markets (NSE and BSE).
Answer from the tools' results; every figure you state must come from a tool result
in this conversation, with its source and date. If a tool says a figure is unavailable,
say so instead of estimating it. When the data source is "demo", tell the user the
figures are synthetic demo data. Amounts are in Indian rupees (₹). Be concise, use
Markdown tables for comparisons, and never present analysis as investment advice.
Today is {today}."""


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


async def load_history(
    db: AsyncSession, turn: Turn, budget_tokens: int = DEFAULT_HISTORY_TOKENS
) -> list[ChatMessage]:
    # Rows, not Message objects: the ORM's bookkeeping cost more than the query.
    rows = (await db.execute(_HISTORY, {"v_chat": turn.chat_id, "v_at": _turn_time(turn)})).all()
    return history_of(turn, rows, budget_tokens)


def history_of(
    turn: Turn, rows: Sequence[Any], budget_tokens: int = DEFAULT_HISTORY_TOKENS
) -> list[ChatMessage]:
    """The model's messages from the chat's latest rows (newest first, each
    with `turn_id`, `role` and `content`, as `history_rows` selects them)."""
    prompt = next((m for m in rows if m.turn_id == turn.id and m.role == MessageRole.USER), None)
    earlier = [m for m in rows if m.turn_id != turn.id and m.content]
    kept: list[ChatMessage] = []
    spent = estimate_tokens(prompt.content) if prompt else 0
    for message in earlier:  # newest first
        cost = estimate_tokens(message.content)
        if spent + cost > budget_tokens:
            break
        spent += cost
        kept.append(ChatMessage(message.role.value, message.content))
    kept.reverse()
    system = ChatMessage("system", SYSTEM_PROMPT.format(today=datetime.now(UTC).date()))
    tail = [ChatMessage("user", prompt.content)] if prompt else []
    return [system, *kept, *tail]


def _turn_time(turn: Turn) -> datetime:
    return turn.created_at


def history_rows(chat_id: Any, until: Any) -> Select:
    """The chat's latest messages up to `until`, newest first."""
    return (
        select(Message.turn_id, Message.role, Message.content, Message.created_at)
        .where(Message.chat_id == chat_id, Message.created_at <= until)
        .order_by(Message.created_at.desc(), Message.role)
        .limit(MAX_HISTORY_MESSAGES)
    )


_HISTORY = history_rows(bindparam("v_chat"), bindparam("v_at"))
