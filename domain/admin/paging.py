"""Pages of admin listings: 1-based page numbers, bounded sizes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


def check_page(page: int, size: int) -> None:
    if page < 1:
        raise InvalidInput("page starts at 1", field="page")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"size is 1-{MAX_PAGE_SIZE}", field="size")


async def fetch_page(
    session: AsyncSession, query: Select, page: int, size: int
) -> tuple[list, int]:
    """The rows of one page of `query` (already ordered) and the total row count."""
    check_page(page, size)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.offset((page - 1) * size).limit(size))).all()
    return list(rows), total or 0
