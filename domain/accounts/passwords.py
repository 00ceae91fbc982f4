"""Password policy and argon2id hashing. A hash never leaves this module's callers."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvalidInput

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 128

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# A hash of a random string: verifying against it costs what a real check costs,
# so an unknown username cannot be told apart from a wrong password by timing.
_DUMMY_HASH = _hasher.hash("kubera-timing-equaliser")


def check_strength(password: str, field: str = "password") -> None:
    missing = [
        label
        for label, pattern in (
            ("an upper-case letter", r"[A-Z]"),
            ("a lower-case letter", r"[a-z]"),
            ("a digit", r"\d"),
            ("a symbol", r"[^A-Za-z0-9]"),
        )
        if not re.search(pattern, password)
    ]
    if len(password) < MIN_PASSWORD_CHARS:
        missing.insert(0, f"at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"Password is longer than {MAX_PASSWORD_CHARS} characters", field=field)
    if missing:
        raise InvalidInput("Password needs " + ", ".join(missing), field=field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
