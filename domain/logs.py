"""Logging for every Kubera process: one `kubera.*` tree, JSON lines when
stderr is not a terminal, and a filter that blanks secrets wherever they hide.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

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
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key in record.__dict__.keys() - _STANDARD:
            if key.lower() in SECRET_KEYS:
                record.__dict__[key] = "[redacted]"
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
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        text = f"{record.levelname[0]} {record.name}: {record.getMessage()} {fields}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
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
