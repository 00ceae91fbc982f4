"""The application's exception tree. Domain code raises these; each edge (HTTP,
WebSocket, MCP, workers) translates them once.

    KuberaError                      code            HTTP
    ├── InvalidInput                 VALIDATION      400
    ├── Unauthorized                 UNAUTHORIZED    401
    │   └── TokenReused              TOKEN_REUSED    401
    ├── Forbidden                    FORBIDDEN       403
    │   └── AccountInactive          ACCOUNT_INACTIVE 403
    ├── NotFound                     NOT_FOUND       404
    ├── Conflict                     CONFLICT        409
    ├── OtpError                     OTP_INVALID     400
    ├── TooSoon                      TOO_SOON        429  (carries retry_after_s)
    └── Unavailable                  UNAVAILABLE     503  (a dependency is down)

Nothing here knows about HTTP: `status` is a hint the HTTP edge reads.
"""

from __future__ import annotations

from typing import Any


class KuberaError(Exception):
    code = "INTERNAL"
    status = 500

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class InvalidInput(KuberaError):
    code = "VALIDATION"
    status = 400


class Unauthorized(KuberaError):
    code = "UNAUTHORIZED"
    status = 401


class TokenReused(Unauthorized):
    code = "TOKEN_REUSED"


class Forbidden(KuberaError):
    code = "FORBIDDEN"
    status = 403


class AccountInactive(Forbidden):
    code = "ACCOUNT_INACTIVE"


class NotFound(KuberaError):
    code = "NOT_FOUND"
    status = 404


class Conflict(KuberaError):
    code = "CONFLICT"
    status = 409


class OtpError(KuberaError):
    code = "OTP_INVALID"
    status = 400


class TooSoon(KuberaError):
    code = "TOO_SOON"
    status = 429

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class Unavailable(KuberaError):
    code = "UNAVAILABLE"
    status = 503
