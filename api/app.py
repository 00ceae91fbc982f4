"""The Litestar application: `uvicorn --factory api.app:create_app`.

The web process is stateless: it authenticates, validates, writes, enqueues and
relays. It never calls an LLM or a market-data source inside a request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from redis.asyncio import Redis

from api.controllers.admin import admin_router
from api.controllers.alerts import AlertsController
from api.controllers.auth import AuthController
from api.controllers.charts import ChartsController, plotly_static
from api.controllers.chats import ChatsController
from api.controllers.mcp import list_mcp_tools
from api.controllers.portfolio import PortfolioController
from api.controllers.root import VERSION, RootController
from api.controllers.scheduler import SchedulerController
from api.controllers.user import UserController
from api.deps import provide_accounts, provide_client, provide_db
from api.errors import HANDLERS
from api.relay import Relay
from api.web import web_app, web_static
from api.ws import chat_socket
from domain.accounts.common import Accounts
from domain.db.session import make_engine, make_sessionmaker
from domain.logs import setup_logging
from domain.mail.outbox import Outbox
from domain.settings import Settings, get_settings


def _lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Imported here: the broker connects to Redis from settings at import.
        from workers.email import dispatch

        engine = make_engine(settings.database)
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        app.state.redis = Redis.from_url(settings.redis.url)
        app.state.accounts = Accounts(settings=settings, outbox=Outbox(dispatch))
        app.state.relay = Relay(app.state.redis)
        await app.state.relay.start()
        try:
            yield
        finally:
            await app.state.relay.stop()
            await app.state.redis.aclose()
            await engine.dispose()

    return lifespan


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Kubera API",
        version=VERSION,
        description="AI stock analysis for Indian markets (NSE/BSE).",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin(), ScalarRenderPlugin()],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }
        ),
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    setup_logging(settings.app.log_level, settings.app.log_json)
    app = Litestar(
        route_handlers=[
            RootController,
            AuthController,
            UserController,
            ChatsController,
            ChartsController,
            list_mcp_tools,
            plotly_static,
            chat_socket,
            admin_router,
            PortfolioController,
            AlertsController,
            SchedulerController,
            web_app,
            web_static,
        ],
        dependencies={
            "db": Provide(provide_db),
            "accounts": Provide(provide_accounts, sync_to_thread=False),
            "client": Provide(provide_client, sync_to_thread=False),
        },
        exception_handlers=HANDLERS,
        lifespan=[_lifespan(settings)],
        openapi_config=_openapi(),
        request_max_body_size=settings.app.max_body_bytes,
        debug=False,
    )
    app.state.settings = settings
    return app
