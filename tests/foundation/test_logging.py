"""The log filter blanks secrets by field name at any depth, and by shape
(JWTs, argon2 hashes, bearer credentials) in any text, tracebacks included.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from domain.logs import JsonFormatter, RedactSecrets

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("kubera.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_fields_named_like_secrets_are_blanked_even_inside_nested_data(logged):
    logger, out = logged

    logger.info("signed in", extra={"otp": "123456", "request": {"password": "S3cret!pw"}})

    (line,) = _lines(out)
    assert line["otp"] == "[redacted]"
    assert line["request"] == {"password": "[redacted]"}


def test_tokens_and_hashes_are_blanked_wherever_the_text_carries_them(logged):
    logger, out = logged

    logger.info("header was %s", f"Bearer {JWT}", extra={"note": f"hash {HASH} stored"})

    text = out.getvalue()
    assert JWT not in text and HASH not in text and "[redacted]" in text


def test_a_traceback_quoting_a_token_is_blanked_too(logged):
    logger, out = logged

    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        logger.exception("refused")

    (line,) = _lines(out)
    assert "ValueError" in line["exc"] and JWT not in line["exc"]


def test_a_call_whose_arguments_do_not_fit_its_format_passes_the_filter_untouched():
    record = logging.LogRecord("kubera.x", logging.INFO, __file__, 1, "two %s %s", ("one",), None)

    assert RedactSecrets().filter(record) is True
    assert record.msg == "two %s %s"  # left for the handler to report
