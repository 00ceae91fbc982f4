"""Engine and session factory, one per process, built from settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from domain.settings import DatabaseSettings


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs too; we always talk through asyncpg."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def make_engine(settings: DatabaseSettings) -> AsyncEngine:
    if not settings.url:
        raise RuntimeError("DATABASE_URL is not set (make dev and the tests set it for you)")
    return create_async_engine(
        async_url(settings.url),
        pool_size=settings.pool_size,
        pool_pre_ping=True,
        echo=settings.echo,
        # Bound values (password hashes among them) stay out of logs and errors.
        hide_parameters=True,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
