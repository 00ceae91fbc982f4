"""Chats as their owner sees them, and the start of a turn."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.models import TokenFamily, User
from domain.accounts.tokens import Claims
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
    claims: Claims,
    chat_id: uuid.UUID,
    message: str,
    *,
    new_chat_title: str | None = None,
) -> StartedTurn | None:
    """Store a queued turn and the user's message, and the chat itself when
    `new_chat_title` is given, if the access token's sign-in still holds
    (and the chat is the user's): one statement, so one round trip for the
    check and the writes, where the ORM's unit of work took five or six.

    None, with nothing written, when the check fails; the caller asks why
    (`sessions.user_for_claims`, `owned_chat`). Committed by the caller (or
    at once, in an autocommit session) before the turn is enqueued: the
    worker must find it.
    """
    turn_id = uuid.uuid4()
    values = {
        "v_turn": turn_id,
        "v_chat": chat_id,
        "v_user": claims.user_id,
        "v_family": claims.family_id,
        "v_issued": claims.issued_at,
        "v_prompt": uuid.uuid4(),
        "v_content": message,
        "v_now": utcnow(),
    }
    if new_chat_title is None:
        started = await session.execute(_START_IN_CHAT, values)
    else:
        started = await session.execute(_START_NEW_CHAT, values | {"v_title": new_chat_title})
    if started.first() is None:
        return None
    return StartedTurn(turn_id, chat_id)


def _select_into(table, who, **columns):
    """INSERT INTO `table` (columns) SELECT the values FROM `who`: no row in
    `who`, nothing inserted."""

    def typed(name: str, value: Any) -> ColumnElement:
        if isinstance(value, ColumnElement) and not isinstance(value, BindParameter):
            return value  # a column of `who`
        if not isinstance(value, ColumnElement):
            value = literal(value, type_=table.c[name].type)
        # Cast: in a SELECT list PostgreSQL would take a parameter for text.
        return cast(value, table.c[name].type)

    values = [typed(k, v) for k, v in columns.items()]
    return insert(table).from_select(list(columns), select(*values).select_from(who))


def _start_statements():
    """The sign-in checked, then the turn and its prompt stored, with the chat
    touched or created. Built once (parameters prefixed: SQLAlchemy keeps
    column names for itself)."""
    chats, turns, messages = Chat.__table__, Turn.__table__, Message.__table__
    users, families = User.__table__, TokenFamily.__table__
    now, chat_id, user_id = bindparam("v_now"), bindparam("v_chat"), bindparam("v_user")
    family = bindparam("v_family", type_=families.c.id.type)
    # The rules of `sessions.user_for_claims`: an active user, a token issued
    # after their last revocation, a sign-in still live (if the token names one).
    signed_in = select(users.c.id).where(
        users.c.id == user_id,
        users.c.is_active.is_(True),
        users.c.tokens_valid_after <= bindparam("v_issued", type_=users.c.tokens_valid_after.type),
        or_(
            family.is_(None),
            exists().where(families.c.id == family, families.c.revoked_at.is_(None)),
        ),
    )
    owner = exists().where(chats.c.id == chat_id, chats.c.user_id == user_id)

    def writes(who):
        turn = _select_into(
            turns,
            who,
            id=bindparam("v_turn"),
            chat_id=chat_id,
            user_id=who.c.id,
            status=TurnStatus.QUEUED,
            attempts=0,
            created_at=now,
        )
        prompt = _select_into(
            messages,
            who,
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
        return turn.cte("turn"), prompt.cte("prompt")

    in_chat_who = signed_in.where(owner).cte("who")
    touch = (
        update(chats)
        .where(chats.c.id == chat_id, chats.c.user_id.in_(select(in_chat_who.c.id)))
        .values(last_message_at=now, updated_at=now)
        .cte("touch")
    )
    in_chat = select(in_chat_who.c.id).add_cte(touch, *writes(in_chat_who))

    new_chat_who = signed_in.cte("who")
    chat = _select_into(
        chats,
        new_chat_who,
        id=chat_id,
        user_id=new_chat_who.c.id,
        title=bindparam("v_title"),
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    # PostgreSQL checks the foreign keys once the whole statement is done.
    new_chat = select(new_chat_who.c.id).add_cte(chat.cte("chat"), *writes(new_chat_who))
    return in_chat, new_chat


_START_IN_CHAT, _START_NEW_CHAT = _start_statements()


async def owned_turn(session: AsyncSession, user_id: uuid.UUID, turn_id: uuid.UUID) -> Turn:
    turn = await session.get(Turn, turn_id)
    if turn is None or turn.user_id != user_id:
        raise NotFound("No turn with this id")
    return turn
