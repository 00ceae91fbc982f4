"""Chats, their messages, and turns (one user prompt and the answer to it)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, Timestamps, UuidPk, utcnow


class MessageRole(enum.StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class TurnStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


# One type object for both tables, so the type is created once.
TURN_STATUS = _enum(TurnStatus, "turn_status")


class Chat(UuidPk, Timestamps, Base):
    __tablename__ = "chats"
    __table_args__ = (Index("ix_chats_user_recent", "user_id", "last_message_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    last_message_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class Turn(Base):
    """The unit of work a chat worker runs; its id names the event stream."""

    __tablename__ = "chat_turns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chat_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[TurnStatus] = mapped_column(TURN_STATUS, default=TurnStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Message(UuidPk, Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_chat_created", "chat_id", "created_at"),
        # Exactly one answer per turn, however often the worker runs it.
        Index(
            "uq_chat_messages_turn_answer",
            "turn_id",
            unique=True,
            postgresql_where=text("role = 'assistant'"),
        ),
    )

    chat_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    turn_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chat_turns.id", ondelete="CASCADE"))
    role: Mapped[MessageRole] = mapped_column(_enum(MessageRole, "message_role"))
    content: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TurnStatus] = mapped_column(TURN_STATUS, default=TurnStatus.COMPLETE)
    tool_calls: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    charts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
