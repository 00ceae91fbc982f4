"""What the model is shown of a chat: the system prompt, the newest earlier
messages that fit the token budget, in order, then the turn's own prompt."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from domain.accounts.models import User
from domain.chat.history import estimate_tokens, load_history
from domain.chat.models import Chat, Message, MessageRole, Turn
from domain.db.session import make_engine, make_sessionmaker
from domain.settings import get_settings

pytestmark = pytest.mark.asyncio

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def db(stack) -> AsyncIterator:
    engine = make_engine(get_settings().database)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def _chat_with_exchanges(db, exchanges: int, chars: int) -> Turn:
    """`exchanges` earlier question-and-answer pairs, then a new turn's prompt."""
    tag = uuid.uuid4().hex[:12]
    user = User(email=f"h-{tag}@example.com", username=f"h{tag}", password_hash="x")
    db.add(user)
    await db.flush()
    chat = Chat(user_id=user.id, title="history")
    db.add(chat)
    await db.flush()
    for n in range(exchanges + 1):
        at = START + timedelta(minutes=n)
        turn = Turn(chat_id=chat.id, user_id=user.id, created_at=at)
        db.add(turn)
        await db.flush()
        question = f"question {n} " + "q" * chars
        db.add(_message(chat, turn, MessageRole.USER, question, at))
        if n < exchanges:
            answer = f"answer {n} " + "a" * chars
            db.add(_message(chat, turn, MessageRole.ASSISTANT, answer, at + timedelta(seconds=5)))
    await db.commit()
    return turn


def _message(chat, turn, role, content, at) -> Message:
    return Message(chat_id=chat.id, turn_id=turn.id, role=role, content=content, created_at=at)


async def test_only_the_newest_messages_that_fit_the_budget_are_sent_in_order(db):
    turn = await _chat_with_exchanges(db, exchanges=10, chars=400)
    one = estimate_tokens("question 0 " + "q" * 400)

    history = await load_history(db, turn, budget_tokens=one * 5 + one // 2)

    assert history[0].role == "system"
    roles = [m.role for m in history[1:]]
    words = [m.content.split()[:2] for m in history[1:]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]
    assert words == [
        ["question", "8"],
        ["answer", "8"],
        ["question", "9"],
        ["answer", "9"],
        ["question", "10"],
    ]
    assert sum(estimate_tokens(m.content) for m in history[1:]) <= one * 5 + one // 2


async def test_a_prompt_larger_than_the_budget_is_still_sent_alone(db):
    turn = await _chat_with_exchanges(db, exchanges=3, chars=4000)

    history = await load_history(db, turn, budget_tokens=100)

    assert [m.role for m in history] == ["system", "user"]
    assert history[-1].content.startswith("question 3")
