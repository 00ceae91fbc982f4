"""The 7 /user endpoints: the signed-in user's own account."""

from __future__ import annotations

from dataclasses import asdict

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import JSONBody

from api.deps import AccountsDep, Client, CurrentUser, Db, provide_user
from api.schemas import (
    Message,
    PasswordChangeIn,
    PreferencesIn,
    PreferencesOut,
    ProfileIn,
    StatsOut,
    UsernameIn,
    UserOut,
)
from domain.accounts import profile


class UserController(Controller):
    path = "/user"
    tags = ["user"]
    dependencies = {"user": Provide(provide_user)}
    security = [{"BearerToken": []}]

    @get("/profile")
    async def get_profile(self, user: CurrentUser) -> UserOut:
        """The signed-in user's profile."""
        return UserOut.model_validate(user)

    @put("/profile")
    async def update_profile(self, data: JSONBody[ProfileIn], db: Db, user: CurrentUser) -> UserOut:
        """Change name or phone; fields left out stay as they are."""
        user = await profile.update_profile(db, user, data.model_dump(exclude_unset=True))
        return UserOut.model_validate(user)

    @put("/username")
    async def update_username(
        self, data: JSONBody[UsernameIn], db: Db, accounts: AccountsDep, user: CurrentUser
    ) -> UserOut:
        """Pick a new username (case-insensitively unique)."""
        user = await profile.change_username(accounts, db, user, data.new_username)
        return UserOut.model_validate(user)

    @put("/password")
    async def update_password(
        self,
        data: JSONBody[PasswordChangeIn],
        db: Db,
        accounts: AccountsDep,
        user: CurrentUser,
        client: Client,
    ) -> Message:
        """Change the password with the current one; every session ends."""
        await profile.change_password(
            accounts, db, user, data.current_password, data.new_password, client
        )
        return Message(message="Password changed; every session was signed out, sign in again")

    @get("/email-preferences")
    async def get_preferences(self, db: Db, user: CurrentUser) -> PreferencesOut:
        """Which optional emails the user receives (codes and security mail always go)."""
        return PreferencesOut.model_validate(await profile.preferences(db, user))

    @put("/email-preferences")
    async def update_preferences(
        self, data: JSONBody[PreferencesIn], db: Db, user: CurrentUser
    ) -> PreferencesOut:
        """Switch optional emails on or off; fields left out stay as they are."""
        prefs = await profile.update_preferences(db, user, data.model_dump(exclude_unset=True))
        return PreferencesOut.model_validate(prefs)

    @get("/stats")
    async def stats(self, db: Db, user: CurrentUser) -> StatsOut:
        """Account age, sign-ins and emails."""
        return StatsOut(**asdict(await profile.stats(db, user)))
