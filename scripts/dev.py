"""`make dev`: the whole system on this machine, until Ctrl-C.

    python -m scripts.dev          start everything (web on :8000)
    python -m scripts.dev mail     print the dev mailbox (newest last)

Servers whose URL is unset start embedded under `.kubera/` (KUBERA_DATA_DIR),
so a second run finds the same accounts and mail.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import sys
import time
from pathlib import Path

from scripts.bootstrap import ROOT, migrate, seed_admin, start_missing
from scripts.procs import read_procfile, start, stop, wait_any
from scripts.services import summarise

DATA_DIR = Path(os.environ.get("KUBERA_DATA_DIR", ROOT / ".kubera"))


def _banner(lines: list[str]) -> None:
    width = max(len(line) for line in lines) + 4
    print("\n" + "=" * width)
    for line in lines:
        print(f"  {line}")
    print("=" * width + "\n", flush=True)


def serve() -> int:
    started = time.monotonic()
    embedded = start_missing(DATA_DIR, persist=True, echo_mail=True)
    try:
        migrate()
        generated = seed_admin()
        env = (
            {"APP_LOG_JSON": "false"}
            | os.environ
            | {
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                "PYTHONUNBUFFERED": "1",
            }
        )
        lines = [
            f"Kubera is starting (bootstrap took {time.monotonic() - started:.1f}s)",
            f"API:      http://127.0.0.1:{env.get('WEB_PORT', '8000')}/",
            f"API docs: http://127.0.0.1:{env.get('WEB_PORT', '8000')}/schema/swagger",
        ]
        if embedded.mailbox is not None:
            lines.append(f"Mail:     printed here, and saved in {DATA_DIR / 'mail'}")
        if generated:
            admin = os.environ.get("ADMIN_EMAIL", "admin@kubera.local")
            lines.append(f"Admin:    {admin} / {generated}   (shown once; keep it)")
        _banner(lines)
        procs = read_procfile(ROOT / "Procfile")
        try:
            start(procs, ROOT, env)
            ended = wait_any(procs)
            print(f"{ended.name} exited ({ended.popen.returncode}); stopping the rest")
            return ended.popen.returncode or 1
        except KeyboardInterrupt:
            print("stopping (Ctrl-C)")
            return 0
        finally:
            stop(procs)
    finally:
        embedded.stop()


def show_mail(limit: int = 5) -> int:
    folder = DATA_DIR / "mail"
    files = sorted(folder.glob("*.eml"))[-limit:] if folder.exists() else []
    if not files:
        print(f"No mail yet in {folder}")
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        print(summarise(message))
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops everything the way Ctrl-C does


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    if argv[:1] == ["mail"]:
        return show_mail()
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
