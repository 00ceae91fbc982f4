"""Request and response bodies. Field rules that a client can check itself live
here; rules that need the database live in the domain services.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Otp = Field(pattern=r"^\s*\d{6}\s*$", description="The 6-digit code from the email.")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EmailIn(Body):
    email: EmailStr


class VerifyOtpIn(Body):
    email: EmailStr
    otp: str = Otp


class RegisterIn(Body):
    email: EmailStr
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=1, max_length=128)
    full_name: str | None = Field(None, max_length=100)


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=254, description="Username or email.")
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(Body):
    refresh_token: str = Field(min_length=1, max_length=2048)


class PasswordResetConfirmIn(Body):
    otp: str = Otp
    new_password: str = Field(min_length=1, max_length=128)


class ForgotPasswordConfirmIn(Body):
    email: EmailStr
    otp: str = Otp
    new_password: str = Field(min_length=1, max_length=128)


class ProfileIn(Body):
    full_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()-]{6,20}$")


class UsernameIn(Body):
    new_username: str = Field(min_length=3, max_length=30)


class PasswordChangeIn(Body):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class PreferencesIn(Body):
    account_updates: bool | None = None
    rate_limit_alerts: bool | None = None
    portfolio_reports: bool | None = None
    price_alerts: bool | None = None
    system_notices: bool | None = None
    report_frequency: Literal["none", "daily", "weekly", "monthly"] | None = None


class Message(BaseModel):
    message: str


class UsernameAvailability(BaseModel):
    username: str
    available: bool
    reason: str | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    username: str
    full_name: str | None
    phone: str | None
    role: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class AuthOut(Tokens):
    user: UserOut


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_updates: bool
    rate_limit_alerts: bool
    portfolio_reports: bool
    price_alerts: bool
    system_notices: bool
    report_frequency: str


class StatsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_since: datetime
    account_age_days: int
    last_login_at: datetime | None
    password_changed_at: datetime | None
    active_sessions: int
    emails_sent: int
    emails_failed: int


class ChatCreateIn(Body):
    title: str | None = Field(None, max_length=120)


class ChatRenameIn(Body):
    title: str = Field(min_length=1, max_length=120)


class ChatOut(BaseModel):
    id: uuid.UUID
    title: str
    created_at: datetime
    last_message_at: datetime
    message_count: int = 0


class ChatListOut(BaseModel):
    items: list[ChatOut]
    total: int
    page: int
    size: int


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    turn_id: uuid.UUID
    role: str
    content: str
    status: str
    tool_calls: list[dict]
    charts: list[dict]
    metadata: dict = Field(validation_alias="meta")
    created_at: datetime


class ChatDetailOut(ChatOut):
    messages: list[MessageOut]
