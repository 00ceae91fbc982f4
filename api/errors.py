"""The HTTP edge of the exception tree: every error leaves as RFC 9457 problem
details (`application/problem+json`) with a stable `code`. No stack trace or
internal message reaches a client; a 500 is logged with its traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import KuberaError, TooSoon

log = logging.getLogger("kubera.api.errors")

PROBLEM_JSON = "application/problem+json"
_CODES = {
    400: "VALIDATION",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    503: "UNAVAILABLE",
}


def problem(
    request: Request, status: int, code: str, detail: str, **extra: Any
) -> Response[dict[str, Any]]:
    body = {
        "type": f"https://kubera.dev/problems/{code.lower().replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **{k: v for k, v in extra.items() if v is not None},
    }
    headers = {}
    if "retry_after_s" in extra:
        headers["Retry-After"] = str(extra["retry_after_s"])
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def on_domain_error(request: Request, exc: KuberaError) -> Response:
    extra = dict(exc.extra)
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    if isinstance(exc, TooSoon):
        extra["retry_after_s"] = exc.retry_after_s
    return problem(request, exc.status, exc.code, exc.message, **extra)


def _field_errors(extra: Any) -> list[dict[str, str]]:
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        # An error about the body as a whole (not an object, say) has no key.
        key = str(item.get("key") or "").removeprefix("body.") or item.get("source") or "body"
        errors.append({"field": key, "message": str(item.get("message", "is invalid"))})
    return errors


def on_validation_error(request: Request, exc: ValidationException) -> Response:
    errors = _field_errors(exc.extra)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request"
    return problem(request, 400, "VALIDATION", detail, errors=errors or None)


def on_http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        log.error("http error", extra={"status": status, "path": request.url.path})
        return problem(request, status, "INTERNAL", "Something went wrong on our side")
    return problem(request, status, _CODES.get(status, "ERROR"), exc.detail)


def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(request, 500, "INTERNAL", "Something went wrong on our side")


HANDLERS = {
    KuberaError: on_domain_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}

__all__ = ["HANDLERS", "MediaType", "problem"]
