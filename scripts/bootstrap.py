"""Shared by `make dev` and the tests: embedded servers for unset URLs,
migrations, and the seeded admin.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

from scripts.services import Mailbox, start_postgres, start_smtp_sink, start_valkey

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Embedded:
    """Servers this process started; `stop()` ends them."""

    mailbox: Mailbox | None = None
    started: list[tuple[str, Any]] = field(default_factory=list)

    def stop(self) -> None:
        for name, server in reversed(self.started):
            try:
                if name == "smtp":
                    server.stop()
                elif name == "valkey":
                    server.stop()
                elif name == "postgres":
                    server.cleanup()
            except Exception as exc:  # stopping is best effort; say what stayed up
                print(f"could not stop {name}: {exc}")
        self.started.clear()


def _configured():
    """A test for "is this variable set", in the environment or in `.env`
    (where the settings read it too), ignoring empty values."""
    from dotenv import dotenv_values

    dotenv = {k.upper(): v for k, v in dotenv_values(ROOT / ".env").items() if v}

    def configured(name: str) -> bool:
        return bool(os.environ.get(name) or dotenv.get(name))

    return configured


def start_missing(data_dir: Path, *, persist: bool, echo_mail: bool) -> Embedded:
    """Start an embedded server for each of DATABASE_URL, REDIS_URL, SMTP_HOST that
    is unset, and export its URL so every child process uses the same one.
    """
    embedded = Embedded()
    configured = _configured()
    if not configured("DATABASE_URL"):
        server, url = start_postgres(data_dir / "postgres")
        embedded.started.append(("postgres", server))
        os.environ["DATABASE_URL"] = url
    if not configured("REDIS_URL"):
        server, url = start_valkey(data_dir / "valkey", persist=persist)
        embedded.started.append(("valkey", server))
        os.environ["REDIS_URL"] = url
    if not configured("SMTP_HOST"):
        embedded.mailbox = Mailbox(folder=data_dir / "mail", echo=echo_mail)
        controller, port = start_smtp_sink(embedded.mailbox)
        embedded.started.append(("smtp", controller))
        os.environ.update(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_STARTTLS": "false",
                "SMTP_SSL": "false",
            }
        )
    return embedded


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def migrate(revision: str = "heads") -> None:
    from domain.settings import reset_settings

    reset_settings()
    command.upgrade(alembic_config(), revision)


def seed_admin() -> str | None:
    from domain.accounts.seed import ensure_admin
    from domain.db.session import make_engine, make_sessionmaker
    from domain.settings import get_settings

    async def run() -> str | None:
        settings = get_settings()
        engine = make_engine(settings.database)
        try:
            async with make_sessionmaker(engine)() as session:
                return await ensure_admin(session, settings.admin)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def serve_in_thread(port: int):
    """Serve the API with uvicorn on a background thread; returns (server, thread)
    once it accepts connections. Set `server.should_exit = True` to stop it.
    """
    import uvicorn

    from api.app import create_app
    from domain.settings import reset_settings

    reset_settings()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # readiness, bounded by the deadline
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API did not start")
        time.sleep(0.01)
    return server, thread
