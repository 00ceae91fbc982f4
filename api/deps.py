"""Dependencies handlers ask for by name: `db`, `accounts`, `user`, `client`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import sessions
from domain.accounts.common import Accounts
from domain.accounts.models import User
from domain.accounts.sessions import ClientInfo
from domain.errors import Unauthorized


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


def provide_accounts(state: State) -> Accounts:
    return state.accounts


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an access token: Authorization: Bearer <token>")
    return token.strip()


async def provide_user(request: Request, db: Db, accounts: AccountsDep) -> User:
    return await sessions.user_for_access_token(accounts, db, bearer_token(request))


def provide_client(request: Request) -> ClientInfo:
    """Who is asking: the peer's address, never a header the client wrote.
    Behind a proxy, uvicorn puts the forwarded address there, from the
    proxies listed in FORWARDED_ALLOW_IPS (127.0.0.1 by default) only."""
    ip = request.client.host if request.client else None
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


# Names handlers use for injected values (Litestar 3 requires them marked).
Db = NamedDependency[AsyncSession]
AccountsDep = NamedDependency[Accounts]
CurrentUser = NamedDependency[User]
Client = NamedDependency[ClientInfo]
