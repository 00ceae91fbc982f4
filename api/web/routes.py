"""`GET /app` serves the single page; `/app/static/*` its modules and CSS.

The page is a client of the public API only: it signs in over `/auth`,
talks to `/ws/chat` and loads plotly.js from `/static/plotly`. Everything
it shows from the model or the tools is escaped on the client.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Request, get
from litestar.datastructures import CacheControlHeader
from litestar.response import File
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
INDEX = STATIC_DIR / "index.html"

# Scripts only from this origin and no inline script: a slip in escaping
# cannot run code. Plotly writes inline styles, so styles allow them.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' {ws}; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# No build step means no hashed names: browsers revalidate on every load.
_REVALIDATE = CacheControlHeader(no_cache=True)


def _socket_origin(request: Request) -> str:
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return f"{scheme}://{request.url.netloc}"


@get(["/app", "/app/"], include_in_schema=False, cache_control=_REVALIDATE)
async def web_app(request: Request) -> File:
    """The Kubera web app (sign-in, chat, portfolio, alerts, settings)."""
    return File(
        path=INDEX,
        content_disposition_type="inline",
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": _CSP.format(ws=_socket_origin(request)),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


web_static = create_static_files_router(
    path="/app/static",
    directories=[STATIC_DIR],
    name="web-static",
    include_in_schema=False,
    cache_control=_REVALIDATE,
)
