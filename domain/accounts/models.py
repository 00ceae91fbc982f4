"""Accounts: users, one-time codes, refresh-token families, email preferences."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.db.base import Base, Timestamps, UuidPk, utcnow


class Role(enum.StrEnum):
    USER = "user"
    ADMIN = "admin"


class OtpPurpose(enum.StrEnum):
    REGISTRATION = "registration"
    PASSWORD_RESET = "password_reset"
    FORGOT_PASSWORD = "forgot_password"
    ADMIN_LOGIN = "admin_login"


class ReportFrequency(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class User(UuidPk, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        # One account per email and per username, whatever the letter case.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        Index("uq_users_username_lower", func.lower(text("username")), unique=True),
        CheckConstraint("char_length(username) BETWEEN 3 AND 30", name="username_length"),
    )

    email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), default=Role.USER)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    full_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Tokens issued before this instant are refused (deactivation, password change).
    tokens_valid_after: Mapped[datetime] = mapped_column(
        server_default=func.now(),
        default=utcnow,
    )

    preferences: Mapped[EmailPreferences] = relationship(
        back_populates="user", uselist=False, lazy="raise"
    )


class Otp(UuidPk, Base):
    __tablename__ = "otps"
    __table_args__ = (
        # At most one live code per address and purpose; a resend retires the old one.
        Index(
            "uq_otps_live_email_purpose",
            "email",
            "purpose",
            unique=True,
            postgresql_where=text("consumed_at IS NULL"),
        ),
        Index("ix_otps_expires_at", "expires_at"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    email: Mapped[str] = mapped_column(String(254))
    purpose: Mapped[OtpPurpose] = mapped_column(_enum(OtpPurpose, "otp_purpose"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    expires_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    consumed_at: Mapped[datetime | None]


class TokenFamily(UuidPk, Base):
    """One sign-in: every refresh token rotated from it shares the family."""

    __tablename__ = "refresh_token_families"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(45))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("refresh_token_families.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    rotated_at: Mapped[datetime | None]


class EmailPreferences(Base):
    __tablename__ = "email_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    account_updates: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    rate_limit_alerts: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    portfolio_reports: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    price_alerts: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    system_notices: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    report_frequency: Mapped[ReportFrequency] = mapped_column(
        _enum(ReportFrequency, "report_frequency"),
        default=ReportFrequency.WEEKLY,
        server_default=ReportFrequency.WEEKLY.value,
    )
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), default=utcnow, onupdate=utcnow
    )

    user: Mapped[User] = relationship(back_populates="preferences", lazy="raise")
