"""The 5 /chats endpoints. Another user's chat answers 404, as if it did not exist."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from api.deps import CurrentUser, Db, provide_user
from api.schemas import ChatCreateIn, ChatDetailOut, ChatListOut, ChatOut, ChatRenameIn, MessageOut
from domain.chat import service
from domain.chat.models import Chat


def chat_out(chat: Chat, count: int = 0) -> ChatOut:
    return ChatOut(
        id=chat.id,
        title=chat.title,
        created_at=chat.created_at,
        last_message_at=chat.last_message_at,
        message_count=count,
    )


class ChatsController(Controller):
    path = "/chats"
    tags = ["chats"]
    dependencies = {"user": Provide(provide_user)}
    security = [{"BearerToken": []}]

    @get("/")
    async def list_chats(
        self, db: Db, user: CurrentUser, page: FromQuery[int] = 1, size: FromQuery[int] = 20
    ) -> ChatListOut:
        """The user's chats, most recently active first, a page at a time."""
        result = await service.list_chats(db, user.id, page, size)
        return ChatListOut(
            items=[chat_out(c, n) for c, n in result.items],
            total=result.total,
            page=result.page,
            size=result.size,
        )

    @post("/", status_code=201)
    async def create_chat(self, data: JSONBody[ChatCreateIn], db: Db, user: CurrentUser) -> ChatOut:
        """Start an empty chat (a WebSocket message without chat_id also starts one)."""
        return chat_out(await service.create_chat(db, user.id, data.title))

    @get("/{chat_id:uuid}")
    async def get_chat(
        self, chat_id: FromPath[uuid.UUID], db: Db, user: CurrentUser
    ) -> ChatDetailOut:
        """The chat with every message: text, tool calls and results, charts, metadata."""
        chat = await service.owned_chat(db, user.id, chat_id)
        messages = await service.chat_messages(db, chat)
        return ChatDetailOut(
            **chat_out(chat, len(messages)).model_dump(),
            messages=[MessageOut.model_validate(m) for m in messages],
        )

    @delete("/{chat_id:uuid}", status_code=204)
    async def delete_chat(self, chat_id: FromPath[uuid.UUID], db: Db, user: CurrentUser) -> None:
        """Delete the chat and everything in it."""
        chat = await service.owned_chat(db, user.id, chat_id)
        await service.delete_chat(db, chat)

    @put("/{chat_id:uuid}/rename")
    async def rename_chat(
        self, chat_id: FromPath[uuid.UUID], data: JSONBody[ChatRenameIn], db: Db, user: CurrentUser
    ) -> ChatOut:
        """Give the chat a new title."""
        chat = await service.owned_chat(db, user.id, chat_id)
        return chat_out(await service.rename_chat(db, chat, data.title))
