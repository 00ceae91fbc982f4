"""JSON Web Tokens. The algorithm is pinned: a token naming any other (or none)
is refused before its claims are read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from domain.errors import Unauthorized
from domain.settings import JwtSettings

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class Claims:
    user_id: uuid.UUID
    token_type: TokenType
    jti: uuid.UUID
    issued_at: datetime
    expires_at: datetime
    role: str | None = None
    family_id: uuid.UUID | None = None


def issue(
    settings: JwtSettings,
    user_id: uuid.UUID,
    token_type: TokenType,
    *,
    role: str | None = None,
    family_id: uuid.UUID | None = None,
    jti: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[str, Claims]:
    now = now or datetime.now(UTC)
    ttl_s = settings.access_ttl_s if token_type == "access" else settings.refresh_ttl_s
    claims = Claims(
        user_id=user_id,
        token_type=token_type,
        jti=jti or uuid.uuid4(),
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        role=role,
        family_id=family_id,
    )
    payload = {
        "sub": str(user_id),
        "typ": token_type,
        "jti": str(claims.jti),
        "iss": settings.issuer,
        # A fractional `iat` (RFC 7519 allows it) lets a revocation in the same
        # second as a sign-in tell the two apart.
        "iat": now.timestamp(),
        "exp": claims.expires_at,
    }
    if role:
        payload["role"] = role
    if family_id:
        payload["fam"] = str(family_id)
    token = jwt.encode(payload, settings.secret.get_secret_value(), algorithm=ALGORITHM)
    return token, claims


def decode(settings: JwtSettings, token: str, expected: TokenType) -> Claims:
    try:
        payload = jwt.decode(
            token,
            settings.secret.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=settings.issuer,
            options={"require": ["sub", "typ", "jti", "iat", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("Token is invalid") from exc
    if payload["typ"] != expected:
        raise Unauthorized(f"Expected an {expected} token")
    try:
        return Claims(
            user_id=uuid.UUID(payload["sub"]),
            token_type=payload["typ"],
            jti=uuid.UUID(payload["jti"]),
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            role=payload.get("role"),
            family_id=uuid.UUID(payload["fam"]) if "fam" in payload else None,
        )
    except (ValueError, TypeError) as exc:
        raise Unauthorized("Token is invalid") from exc


def check_unexpired(claims: Claims) -> None:
    """For claims decoded earlier (an open WebSocket's): still in date?"""
    if datetime.now(UTC) >= claims.expires_at:
        raise Unauthorized("Token has expired")
