"""Runs the Procfile's processes for `make dev`, their output prefixed by name.

Each process gets its own session, and stopping sends SIGTERM to the process
itself, once. Honcho signalled whole process groups instead, so Dramatiq's
worker processes heard SIGTERM twice (from honcho and from their parent) and
took the second as "kill now", dropping the messages they were running.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# How long processes get to finish their current work before SIGKILL.
DEFAULT_STOP_TIMEOUT_S = 20.0
_COLOURS = ("36", "33", "35", "32", "34", "31")


@dataclass
class Proc:
    name: str
    command: str
    popen: subprocess.Popen | None = None


def read_procfile(path: Path) -> list[Proc]:
    """`name: command` lines; blank lines and `#` comments are skipped."""
    procs = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            procs.append(Proc(name.strip(), command.strip()))
    return procs


def _relay(proc: Proc, colour: str, width: int, lock: threading.Lock) -> None:
    tty = sys.stdout.isatty()
    label = proc.name.ljust(width)
    prefix = f"\033[{colour}m{label} |\033[0m " if tty else f"{label} | "
    for raw in proc.popen.stdout:
        text = raw.decode(errors="replace").rstrip("\n")
        with lock:
            sys.stdout.write(f"{time.strftime('%H:%M:%S')} {prefix}{text}\n")
            sys.stdout.flush()


def start(procs: list[Proc], cwd: Path, env: dict[str, str]) -> list[threading.Thread]:
    width = max(len(p.name) for p in procs)
    lock = threading.Lock()
    relays = []
    for index, proc in enumerate(procs):
        proc.popen = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {proc.command}"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches only us
        )
        colour = _COLOURS[index % len(_COLOURS)]
        relay = threading.Thread(target=_relay, args=(proc, colour, width, lock), daemon=True)
        relay.start()
        relays.append(relay)
        print(f"started {proc.name} (pid {proc.popen.pid}): {shlex.split(proc.command)[0]}")
    return relays


def wait_any(procs: list[Proc], poll_s: float = 0.5) -> Proc:
    """Block until one process exits; returns it."""
    while True:
        for proc in procs:
            if proc.popen.poll() is not None:
                return proc
        time.sleep(poll_s)


def stop(procs: list[Proc], timeout_s: float = DEFAULT_STOP_TIMEOUT_S) -> None:
    """SIGTERM each live process once; SIGKILL the groups still alive later."""
    procs = [proc for proc in procs if proc.popen is not None]
    for proc in procs:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        try:
            proc.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{proc.name} did not stop in {timeout_s:.0f}s; killing it")
        # Children a process left behind (Dramatiq's workers) share its group.
        try:
            os.killpg(proc.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.popen.wait()
        print(f"stopped {proc.name} (exit {proc.popen.returncode})")
