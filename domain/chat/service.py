"""Chats as their owner sees them, and the start of a turn."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.chat.models import Chat, Message, MessageRole, Turn, TurnStatus
from domain.db.base import utcnow
from domain.errors import InvalidInput, NotFound

MAX_MESSAGE_CHARS = 4000
MAX_TITLE_CHARS = 120
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def title_from(message: str) -> str:
    """A first prompt, shortened on a word boundary, names a new chat."""
    words = " ".join(message.split())
    if len(words) <= 60:
        return words or "New chat"
    return words[:60].rsplit(" ", 1)[0] + "…"


def check_message(message: str) -> str:
    text = message.strip()
    if not text:
        raise InvalidInput("The message is empty", field="message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(
            f"The message is longer than {MAX_MESSAGE_CHARS} characters", field="message"
        )
    return text


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"A title needs 1-{MAX_TITLE_CHARS} characters", field="title")
    return title


async def owned_chat(session: AsyncSession, user_id: uuid.UUID, chat_id: uuid.UUID) -> Chat:
    """The chat, if it is this user's; another user's chat does not exist for them."""
    chat = await session.get(Chat, chat_id)
    if chat is None or chat.user_id != user_id:
        raise NotFound("No chat with this id")
    return chat


async def create_chat(session: AsyncSession, user_id: uuid.UUID, title: str | None) -> Chat:
    chat = Chat(user_id=user_id, title=check_title(title) if title else "New chat")
    session.add(chat)
    await session.commit()
    return chat


@dataclass(frozen=True)
class ChatPage:
    items: list[tuple[Chat, int]]
    total: int
    page: int
    size: int


async def list_chats(
    session: AsyncSession, user_id: uuid.UUID, page: int = 1, size: int = DEFAULT_PAGE_SIZE
) -> ChatPage:
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page starts at 1 and size is 1-{MAX_PAGE_SIZE}", field="size")
    counts = select(Message.chat_id, func.count().label("n")).group_by(Message.chat_id).subquery()
    query = (
        select(Chat, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.chat_id == Chat.id)
        .where(Chat.user_id == user_id)
        .order_by(Chat.last_message_at.desc(), Chat.created_at.desc())
        .offset((page - 1) * size)
        .limit(size)
    )
    rows = [(chat, n) for chat, n in await session.execute(query)]
    total = await session.scalar(
        select(func.count()).select_from(Chat).where(Chat.user_id == user_id)
    )
    return ChatPage(rows, total or 0, page, size)


async def chat_messages(session: AsyncSession, chat: Chat) -> list[Message]:
    query = (
        select(Message)
        .where(Message.chat_id == chat.id)
        .order_by(Message.created_at, Message.role.desc())
    )
    return list((await session.scalars(query)).all())


async def prompts_in_chat(session: AsyncSession, chat_id: uuid.UUID) -> int:
    """The chat's stored prompts: what the per-chat limit has counted."""
    query = select(func.count()).where(Message.chat_id == chat_id, Message.role == MessageRole.USER)
    return await session.scalar(query) or 0


async def rename_chat(session: AsyncSession, chat: Chat, title: str) -> Chat:
    chat.title = check_title(title)
    await session.commit()
    return chat


async def delete_chat(session: AsyncSession, chat: Chat) -> None:
    await session.execute(delete(Chat).where(Chat.id == chat.id))
    await session.commit()


@dataclass(frozen=True)
class StartedTurn:
    turn_id: uuid.UUID
    chat_id: uuid.UUID


async def start_turn(
    session: AsyncSession,
    user_id: uuid.UUID,
    chat_id: uuid.UUID,
    message: str,
    *,
    new_chat_title: str | None = None,
) -> StartedTurn:
    """Store a queued turn and the user's message, and the chat itself when
    `new_chat_title` is given, in one statement: one round trip where the
    ORM's unit of work took three or four. Committed by the caller (or at
    once, in an autocommit session), before the turn is enqueued: the worker
    must find it.
    """
    turn_id = uuid.uuid4()
    values = {
        "v_turn": turn_id,
        "v_chat": chat_id,
        "v_user": user_id,
        "v_prompt": uuid.uuid4(),
        "v_content": message,
        "v_now": utcnow(),
    }
    if new_chat_title is None:
        await session.execute(_START_IN_CHAT, values)
    else:
        await session.execute(_START_NEW_CHAT, values | {"v_title": new_chat_title})
    return StartedTurn(turn_id, chat_id)


def _start_statements():
    """The turn and its prompt, with the chat touched or created. Built
    once (parameters prefixed: SQLAlchemy keeps column names for itself)."""
    chats, turns, messages = Chat.__table__, Turn.__table__, Message.__table__
    now, chat_id = bindparam("v_now"), bindparam("v_chat")
    turn = insert(turns).values(
        id=bindparam("v_turn"),
        chat_id=chat_id,
        user_id=bindparam("v_user"),
        status=TurnStatus.QUEUED,
        attempts=0,
        created_at=now,
    )
    prompt = insert(messages).values(
        id=bindparam("v_prompt"),
        chat_id=chat_id,
        turn_id=bindparam("v_turn"),
        role=MessageRole.USER,
        content=bindparam("v_content"),
        status=TurnStatus.COMPLETE,
        tool_calls=[],
        charts=[],
        metadata={},
        created_at=now,
    )
    touch = update(chats).where(chats.c.id == chat_id)
    touch = touch.values(last_message_at=now, updated_at=now)
    in_chat = touch.add_cte(turn.cte("turn")).add_cte(prompt.cte("prompt"))
    chat = insert(chats).values(
        id=chat_id,
        user_id=bindparam("v_user"),
        title=bindparam("v_title"),
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    # PostgreSQL checks the foreign keys once the whole statement is done.
    new_chat = prompt.add_cte(chat.cte("chat")).add_cte(turn.cte("turn"))
    return in_chat, new_chat


_START_IN_CHAT, _START_NEW_CHAT = _start_statements()


async def owned_turn(session: AsyncSession, user_id: uuid.UUID, turn_id: uuid.UUID) -> Turn:
    turn = await session.get(Turn, turn_id)
    if turn is None or turn.user_id != user_id:
        raise NotFound("No turn with this id")
    return turn
