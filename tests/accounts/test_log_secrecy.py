"""No password, code, token or hash reaches a log line while a user registers,
signs in, rotates and ends a session, and recovers a forgotten password.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from domain.logs import RedactSecrets
from tests.helpers import bearer, code_in, register, sql

NEW_PASSWORD = "Rec0vered!Secret"
# Loggers of the libraries that carry our requests and messages, at the levels
# an operator would turn on while debugging.
LIBRARY_LOGGERS = ("dramatiq", "litestar", "uvicorn", "httpx", "aiosmtplib")


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the process logs, as the real `kubera` handler writes it."""
    out = io.StringIO()
    kubera = logging.getLogger("kubera")
    # The handler `setup_logging` installed (pytest adds capture handlers beside it).
    (real,) = [h for h in kubera.handlers if any(isinstance(f, RedactSecrets) for f in h.filters)]
    previous_stream, previous_level = real.setStream(out), kubera.level
    kubera.setLevel(logging.DEBUG)
    extra = logging.StreamHandler(out)
    extra.setFormatter(logging.Formatter("%(name)s %(message)s"))
    libraries = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    levels = [logger.level for logger in libraries]
    for logger in libraries:
        logger.addHandler(extra)
        logger.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        real.setStream(previous_stream)
        kubera.setLevel(previous_level)
        for logger, level in zip(libraries, levels, strict=True):
            logger.removeHandler(extra)
            logger.setLevel(level)


def _code_appears(code: str, text: str) -> bool:
    # As a number of its own: six digits inside a longer one are a coincidence.
    return re.search(rf"(?<!\d){code}(?!\d)", text) is not None


def test_the_logs_of_a_whole_account_life_hold_no_secret(client, mailbox, drain):
    with captured_logs() as out:
        account = register(client, mailbox)
        signup_code = code_in(mailbox.wait_for(account["email"], "verification code"))
        login = client.post(
            "/auth/login", json={"username": account["email"], "password": account["password"]}
        ).json()
        client.post("/auth/login", json={"username": account["username"], "password": "Wr0ng!pw"})
        rotated = client.post("/auth/refresh", json={"refresh_token": login["refresh_token"]})
        client.post("/auth/refresh", json={"refresh_token": login["refresh_token"]})  # reuse
        client.post(
            "/auth/logout",
            json={"refresh_token": account["refresh_token"]},
            headers=bearer(account["access_token"]),
        )
        client.post("/auth/forgot-password/send-otp", json={"email": account["email"]})
        recovery_code = code_in(mailbox.wait_for(account["email"], "recovery"))
        recovered = client.post(
            "/auth/forgot-password/confirm",
            json={"email": account["email"], "otp": recovery_code, "new_password": NEW_PASSWORD},
        )
        drain()
    logs = out.getvalue()

    (password_hash,) = sql(
        "SELECT password_hash FROM users WHERE id = :id", id=account["user"]["id"]
    )[0]
    secrets = {
        "password": account["password"],
        "new password": NEW_PASSWORD,
        "wrong password": "Wr0ng!pw",
        "access token": account["access_token"],
        "second access token": login["access_token"],
        "refresh token": account["refresh_token"],
        "rotated refresh token": rotated.json()["refresh_token"],
        "password hash": password_hash,
    }
    assert rotated.status_code == recovered.status_code == 200
    assert "user registered" in logs and "message finished" in logs  # the capture works
    assert [name for name, value in secrets.items() if value in logs] == []
    assert not _code_appears(signup_code, logs) and not _code_appears(recovery_code, logs)
    assert "$argon2" not in logs
