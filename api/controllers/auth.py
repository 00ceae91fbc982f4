"""The 11 /auth endpoints: three-step registration, sign-in, token rotation,
sign-out, username availability, and both password-recovery paths.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from api.deps import AccountsDep, Client, CurrentUser, Db, provide_user
from api.schemas import (
    AuthOut,
    EmailIn,
    ForgotPasswordConfirmIn,
    LoginIn,
    Message,
    PasswordResetConfirmIn,
    RefreshIn,
    RegisterIn,
    Tokens,
    UsernameAvailability,
    UserOut,
    VerifyOtpIn,
)
from domain.accounts import profile, registration, sessions
from domain.accounts.common import check_username, user_by_username
from domain.accounts.sessions import TokenPair
from domain.errors import InvalidInput

AUTHED = {"user": Provide(provide_user)}
BEARER = [{"BearerToken": []}]


def auth_out(user: CurrentUser, pair: TokenPair) -> AuthOut:
    return AuthOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=UserOut.model_validate(user),
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register/step1", status_code=202)
    async def register_step1(
        self, data: JSONBody[EmailIn], db: Db, accounts: AccountsDep
    ) -> Message:
        """Email a 6-digit registration code to `email`."""
        await registration.register_start(accounts, db, data.email)
        return Message(message="A verification code was sent to your email")

    @post("/register/step2", status_code=200)
    async def register_step2(
        self, data: JSONBody[VerifyOtpIn], db: Db, accounts: AccountsDep
    ) -> Message:
        """Verify the emailed code; step 3 must follow within 30 minutes."""
        await registration.register_verify(accounts, db, data.email, data.otp)
        return Message(message="Email verified; choose a username and password")

    @post("/register/step3", status_code=201)
    async def register_step3(
        self, data: JSONBody[RegisterIn], db: Db, accounts: AccountsDep, client: Client
    ) -> AuthOut:
        """Create the account and sign it in."""
        user, pair = await registration.register_complete(
            accounts, db, data.email, data.username, data.password, data.full_name, client
        )
        return auth_out(user, pair)

    @post("/login", status_code=200)
    async def login(
        self, data: JSONBody[LoginIn], db: Db, accounts: AccountsDep, client: Client
    ) -> AuthOut:
        """Sign in with username or email and password."""
        user, pair = await sessions.login(accounts, db, data.username, data.password, client)
        return auth_out(user, pair)

    @post("/refresh", status_code=200)
    async def refresh(
        self, data: JSONBody[RefreshIn], db: Db, accounts: AccountsDep, client: Client
    ) -> Tokens:
        """Swap a refresh token for a new pair; each refresh token works once."""
        pair = await sessions.refresh(accounts, db, data.refresh_token, client)
        return Tokens(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )

    @post("/logout", status_code=200, dependencies=AUTHED, security=BEARER)
    async def logout(
        self, data: JSONBody[RefreshIn], db: Db, accounts: AccountsDep, user: CurrentUser
    ) -> Message:
        """End this sign-in: its refresh token and every one rotated from it."""
        await sessions.logout(accounts, db, user, data.refresh_token)
        return Message(message="Signed out")

    @get("/check-username/{username:str}")
    async def check_username(self, username: FromPath[str], db: Db) -> UsernameAvailability:
        """Whether `username` is free and allowed."""
        try:
            check_username(username)
        except InvalidInput as exc:
            return UsernameAvailability(username=username, available=False, reason=exc.message)
        taken = await user_by_username(db, username) is not None
        return UsernameAvailability(
            username=username, available=not taken, reason="taken" if taken else None
        )

    @post("/password-reset/send-otp", status_code=202, dependencies=AUTHED, security=BEARER)
    async def password_reset_send(
        self, db: Db, accounts: AccountsDep, user: CurrentUser
    ) -> Message:
        """Email a code that confirms a password change while signed in."""
        await profile.password_reset_start(accounts, db, user)
        return Message(message="A code was sent to your email")

    @post("/password-reset/confirm", status_code=200, dependencies=AUTHED, security=BEARER)
    async def password_reset_confirm(
        self,
        data: JSONBody[PasswordResetConfirmIn],
        db: Db,
        accounts: AccountsDep,
        user: CurrentUser,
        client: Client,
    ) -> Message:
        """Set a new password with the emailed code; every session ends."""
        await profile.password_reset_confirm(
            accounts, db, user, data.otp, data.new_password, client
        )
        return Message(message="Password changed; every session was signed out, sign in again")

    @post("/forgot-password/send-otp", status_code=202)
    async def forgot_password_send(
        self, data: JSONBody[EmailIn], db: Db, accounts: AccountsDep
    ) -> Message:
        """Email a recovery code if the address has an account (same answer either way)."""
        await registration.forgot_password_start(accounts, db, data.email)
        return Message(message="If an account uses this email, a code was sent to it")

    @post("/forgot-password/confirm", status_code=200)
    async def forgot_password_confirm(
        self,
        data: JSONBody[ForgotPasswordConfirmIn],
        db: Db,
        accounts: AccountsDep,
        client: Client,
    ) -> Message:
        """Set a new password with the recovery code; every session ends."""
        await registration.forgot_password_confirm(
            accounts, db, data.email, data.otp, data.new_password, client
        )
        return Message(message="Password changed; sign in with the new password")
