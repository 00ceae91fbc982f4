"""`WS /ws/chat?token=…`: prompts in, a turn's events out.

Client → server: message, resume, cancel, ping. Server → client: turn_started,
text_chunk, tool_call_start, tool_call_complete, message_complete, error, pong.
Errors are events with a `code`; they never close the socket, except a token
that is (or became) invalid, which closes it with 4401. The token is checked
when the socket opens (a bad or expired one is refused before it opens) and
again on every message, resume and cancel, so an expiry or a sign-out ends
an open socket too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from api.relay import Relay, Subscription
from domain.accounts import sessions, tokens
from domain.accounts.models import User
from domain.chat import events, service
from domain.chat.cancel import request_cancel
from domain.chat.models import Turn, TurnStatus
from domain.db.session import autocommit
from domain.errors import (
    AccountInactive,
    InvalidInput,
    KuberaError,
    NotFound,
    Unauthorized,
    Unavailable,
)
from domain.limits.service import count_prompt, refuse_prompt
from domain.system import SystemDisabled, ensure_chat_enabled

log = logging.getLogger("kubera.api.ws")

CLOSE_UNAUTHORIZED = 4401
_CLOSE = object()  # queued after a final event: the sender closes the socket


def error_event(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "code": code,
        "message": message,
        **{k: v for k, v in extra.items() if v is not None},
    }


class ChatSocket:
    def __init__(self, socket: WebSocket, claims: tokens.Claims) -> None:
        self.socket = socket
        self.state = socket.app.state
        self.claims = claims  # the token's signature is checked once, at the open
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.subs: list[Subscription] = []

    @property
    def relay(self) -> Relay:
        return self.state.relay

    async def run(self) -> None:
        sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop())
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for sub in self.subs:
                self.relay.unsubscribe(sub)
            for task in (sender, receiver):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                    await task

    async def _receive_loop(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await self.socket.receive_text()
                try:
                    data = json.loads(raw)
                except ValueError:
                    data = None
                if not await self._handle(data):
                    return

    async def _send_loop(self) -> None:
        while True:
            event = await self.outbox.get()
            if event is _CLOSE:
                await self.socket.close(code=CLOSE_UNAUTHORIZED)
                return
            await self.socket.send_json(event)

    async def _handle(self, data: Any) -> bool:
        """Act on one client message; False when the socket must close."""
        kind = data.get("type") if isinstance(data, dict) else None
        handlers = {
            "message": self._message,
            "resume": self._resume,
            "cancel": self._cancel,
            "ping": self._ping,
        }
        handler = handlers.get(kind)
        if handler is None:
            self.outbox.put_nowait(
                error_event("VALIDATION", "Send JSON with type message, resume, cancel or ping")
            )
            return True
        try:
            await handler(data)
        except (Unauthorized, AccountInactive) as exc:
            self.outbox.put_nowait(error_event("UNAUTHORIZED", exc.message))
            self.outbox.put_nowait(_CLOSE)
            return False
        except KuberaError as exc:
            extra = {k: v for k, v in exc.extra.items() if k != "turn_id"}
            self.outbox.put_nowait(
                error_event(
                    exc.code, exc.message, turn_id=data.get("turn_id"), field=exc.field, **extra
                )
            )
        except Exception:  # the socket outlives one failed request
            log.exception("socket request failed", extra={"type": kind})
            self.outbox.put_nowait(
                error_event("INTERNAL", "That did not work; try again", turn_id=data.get("turn_id"))
            )
        return True

    async def _current_user(self, db) -> User:
        """Checked on every request: the token may have expired, or been
        revoked, since the socket opened."""
        tokens.check_unexpired(self.claims)
        return await sessions.user_for_claims(db, self.claims)

    async def _ping(self, data: dict) -> None:
        self.outbox.put_nowait({"type": "pong"})

    async def _message(self, data: dict) -> None:
        message = data.get("message")
        if not isinstance(message, str):
            raise InvalidInput("message must be text", field="message")
        text = service.check_message(message)
        chat_id = _uuid_or_none(data.get("chat_id"), "chat_id")
        tokens.check_unexpired(self.claims)
        title = None if chat_id else service.title_from(text)
        chat_id = chat_id or uuid.uuid4()
        async with self.state.sessions() as db:
            # Single statements from here (a refusal's writes get a
            # transaction of their own): no BEGIN and COMMIT round trips.
            await autocommit(db)
            try:
                # Counted (once the chat switch, read meanwhile, says yes) before
                # anything is written: a refusal commits its violation row, and
                # must not commit an empty chat with it.
                refusal = await count_prompt(
                    db,
                    self.state.redis,
                    self.claims.user_id,
                    chat_id,
                    new_chat=title is not None,
                    first=_check_system(self.state),
                )
            except SystemDisabled:
                await self._check_asker(db, chat_id, title)  # a signed-out user is told that first
                raise
            if refusal is not None:
                user = await self._check_asker(db, chat_id, title)
                await refuse_prompt(db, self.state.redis, self.state.accounts, user, refusal)
            # The sign-in and the chat's owner are checked in the same statement.
            turn = await service.start_turn(db, self.claims, chat_id, text, new_chat_title=title)
            if turn is None:
                await self._check_asker(db, chat_id, title)
                raise Unauthorized("This session has been signed out")  # gone in between
        await self._enqueue(turn.turn_id)
        self.outbox.put_nowait(
            {
                "type": "turn_started",
                "turn_id": str(turn.turn_id),
                "chat_id": str(chat_id),
                "seq": 0,
            }
        )
        await self._follow(str(turn.turn_id), 0)

    async def _check_asker(self, db, chat_id: uuid.UUID, title: str | None) -> User:
        """The user, if their sign-in holds and the chat is theirs; raises why not."""
        user = await self._current_user(db)
        if title is None:
            await service.owned_chat(db, user.id, chat_id)
        return user

    async def _enqueue(self, turn_id: uuid.UUID) -> None:
        from workers.chat import broker, run_turn  # the broker connects at import

        try:
            await broker.enqueue_async(self.state.redis, run_turn.message(str(turn_id)))
        except Exception as exc:
            async with self.state.sessions() as db:
                stored = await db.get(Turn, turn_id)
                if stored is not None:
                    stored.status = TurnStatus.FAILED
                    await db.commit()
            log.error("turn not enqueued", extra={"turn_id": str(turn_id)})
            raise Unavailable(
                "The chat service is busy; your message was saved, send it again shortly"
            ) from exc

    async def _follow(self, turn_id: str, after: int) -> None:
        self.subs = [s for s in self.subs if not s.done]
        self.subs.append(await self.relay.subscribe(turn_id, after, self.outbox))

    async def _resume(self, data: dict) -> None:
        turn_id = _uuid_or_none(data.get("turn_id"), "turn_id")
        if turn_id is None:
            raise InvalidInput("resume needs turn_id", field="turn_id")
        after = data.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise InvalidInput("after must be a non-negative integer", field="after")
        async with self.state.sessions() as db:
            turn = await service.owned_turn(db, (await self._current_user(db)).id, turn_id)
        # A turn still queued has published nothing yet; follow it all the same.
        unfinished = turn.status in (TurnStatus.QUEUED, TurnStatus.RUNNING)
        if not unfinished and not await self.state.redis.exists(events.stream_key(turn_id)):
            raise NotFound("This turn finished more than an hour ago; reload the chat")
        await self._follow(str(turn_id), after)

    async def _cancel(self, data: dict) -> None:
        turn_id = _uuid_or_none(data.get("turn_id"), "turn_id")
        if turn_id is None:
            raise InvalidInput("cancel needs turn_id", field="turn_id")
        async with self.state.sessions() as db:
            await service.owned_turn(db, (await self._current_user(db)).id, turn_id)
        await request_cancel(self.state.redis, turn_id)


def _uuid_or_none(value: Any, field: str) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{field} is not a valid id", field=field) from exc


async def _check_system(state) -> None:
    """The admin's chat switch (SYSTEM_DISABLED); see domain.system."""
    await ensure_chat_enabled(state.redis)


@websocket("/ws/chat")
async def chat_socket(socket: WebSocket) -> None:
    """Real-time chat; see the module docstring for the protocol."""
    token = socket.query_params.get("token") or ""
    try:
        claims = tokens.decode(socket.app.state.accounts.settings.jwt, token, "access")
        async with socket.app.state.sessions() as db:
            await sessions.user_for_claims(db, claims)
    except KuberaError as exc:
        await socket.close(code=CLOSE_UNAUTHORIZED, reason=exc.message[:120])
        return
    await socket.accept()
    await ChatSocket(socket, claims).run()
