"""Sealing small payloads that pass through Redis (email context carrying a
one-time code): encrypted and authenticated with a key derived from JWT_SECRET,
so neither a Redis dump nor a worker's "failed message" log line shows them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from domain.errors import KuberaError

# A sealed payload older than this is refused; emails retry for far less.
DEFAULT_MAX_AGE_S = 7 * 24 * 3600


class SealBroken(KuberaError):
    code = "SEAL_BROKEN"


def _fernet(secret: str) -> Fernet:
    # Domain-separated from the JWT signing use of the same secret.
    digest = hashlib.sha256(b"kubera-seal-v1:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str, payload: dict[str, Any]) -> str:
    return _fernet(secret).encrypt(json.dumps(payload).encode()).decode()


def unseal(secret: str, token: str, max_age_s: int = DEFAULT_MAX_AGE_S) -> dict[str, Any]:
    try:
        return json.loads(_fernet(secret).decrypt(token.encode(), ttl=max_age_s))
    except (InvalidToken, ValueError) as exc:
        raise SealBroken("sealed payload is invalid or too old") from exc
