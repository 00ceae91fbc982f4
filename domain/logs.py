"""Logging for every Kubera process: one `kubera.*` tree, JSON lines when
stderr is not a terminal, and a filter that blanks secrets wherever they hide:
fields named like a secret (at any depth), and JWTs, argon2 hashes and bearer
credentials inside any text, the message and tracebacks included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# Field names whose values never reach a log line.
SECRET_KEYS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "token",
        "access_token",
        "refresh_token",
        "otp",
        "code",
        "authorization",
        "secret",
        "api_key",
    }
)
REDACTED = "[redacted]"
# Secrets recognisable by shape, whatever field or sentence carries them.
_SECRET_TEXT = re.compile(
    r"eyJ[\w-]+\.[\w-]+\.[\w-]*"  # a JWT (its header always starts `{"`)
    r"|\$argon2(?:id|i|d)\$[^\s'\",)]+"  # an argon2 hash
    r"|(?i:bearer)\s+[\w.~+/=-]+"  # an Authorization header's credential
)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


def scrub(text: str) -> str:
    """`text` with every JWT, argon2 hash and bearer credential blanked."""
    return _SECRET_TEXT.sub(REDACTED, text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {
            k: REDACTED if str(k).lower() in SECRET_KEYS else _redact(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    return value


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key in record.__dict__.keys() - _STANDARD:
            value = record.__dict__[key]
            record.__dict__[key] = REDACTED if key.lower() in SECRET_KEYS else _redact(value)
        # Rendered once here so its %-arguments are scrubbed too; a call whose
        # arguments do not fit its format is left for the handler to report.
        try:
            record.msg, record.args = scrub(record.getMessage()), None
        except (TypeError, ValueError):
            pass
        return True


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        text = f"{record.levelname[0]} {record.name}: {record.getMessage()} {fields}".rstrip()
        if record.exc_info:
            text += "\n" + scrub(self.formatException(record.exc_info))
        return text


def setup_logging(level: str = "INFO", json_lines: bool | None = None) -> None:
    """Configure the `kubera` logger tree once per process; safe to call again."""
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else ConsoleFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger("kubera")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
