"""POST /admin/login/send-otp and /admin/login/verify-otp: the admin sign-in."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from api.controllers.admin.guard import RedisDep
from api.controllers.admin.schemas import AdminLoginIn, AdminVerifyIn
from api.controllers.auth import auth_out
from api.deps import AccountsDep, Client, Db
from api.schemas import AuthOut, Message
from domain.admin import access


class AdminLoginController(Controller):
    path = "/login"

    @post("/send-otp", status_code=202)
    async def send_otp(
        self, data: JSONBody[AdminLoginIn], db: Db, accounts: AccountsDep
    ) -> Message:
        """Step 1: username or email and password of an admin; a code is emailed."""
        await access.send_login_code(accounts, db, data.username, data.password)
        return Message(message="A sign-in code was sent to the admin's email")

    @post("/verify-otp", status_code=200)
    async def verify_otp(
        self,
        data: JSONBody[AdminVerifyIn],
        db: Db,
        accounts: AccountsDep,
        redis: RedisDep,
        client: Client,
    ) -> AuthOut:
        """Step 2: the emailed code; answers tokens that open the admin endpoints."""
        user, pair = await access.verify_login_code(
            accounts, db, redis, data.username, data.otp, client
        )
        return auth_out(user, pair)
