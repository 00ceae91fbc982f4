"""Catalogue of every email Kubera sends: subject template, opt-out key and context contract.

Types whose ``preference`` is ``None`` are sent regardless of the user's email
preferences (one-time codes and messages about account security). The others can be
switched off with the named key in the user's preferences.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EmailType(enum.StrEnum):
    """Each value doubles as the template stem: ``<value>.txt.j2`` and ``<value>.html.j2``."""

    OTP_REGISTRATION = "otp_registration"
    OTP_PASSWORD_RESET = "otp_password_reset"
    OTP_FORGOT_PASSWORD = "otp_forgot_password"
    OTP_ADMIN_LOGIN = "otp_admin_login"
    WELCOME = "welcome"
    PASSWORD_CHANGED = "password_changed"
    USERNAME_CHANGED = "username_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    LIMIT_BURST = "limit_burst"
    LIMIT_HOURLY = "limit_hourly"
    LIMIT_DAILY = "limit_daily"
    REPORT_DAILY = "report_daily"
    REPORT_WEEKLY = "report_weekly"
    REPORT_MONTHLY = "report_monthly"
    MAINTENANCE = "maintenance"
    SECURITY_ALERT = "security_alert"
    PRICE_ALERT = "price_alert"


@dataclass(frozen=True)
class EmailSpec:
    """``subject`` is a Jinja2 string rendered with the same context as the bodies."""

    subject: str
    preference: str | None

    @property
    def always_sent(self) -> bool:
        return self.preference is None


ACCOUNT_UPDATES = "account_updates"
RATE_LIMIT_ALERTS = "rate_limit_alerts"
PORTFOLIO_REPORTS = "portfolio_reports"
PRICE_ALERTS = "price_alerts"
SYSTEM_NOTICES = "system_notices"

PREFERENCE_KEYS: tuple[str, ...] = (
    ACCOUNT_UPDATES,
    RATE_LIMIT_ALERTS,
    PORTFOLIO_REPORTS,
    PRICE_ALERTS,
    SYSTEM_NOTICES,
)

#: Human wording for each preference key, shown in email footers.
PREFERENCE_LABELS: dict[str, str] = {
    ACCOUNT_UPDATES: "Account updates",
    RATE_LIMIT_ALERTS: "Usage limit alerts",
    PORTFOLIO_REPORTS: "Portfolio reports",
    PRICE_ALERTS: "Price alerts",
    SYSTEM_NOTICES: "System notices",
}

_T = EmailType

SPECS: dict[EmailType, EmailSpec] = {
    _T.OTP_REGISTRATION: EmailSpec("Your {{ app_name }} verification code", None),
    _T.OTP_PASSWORD_RESET: EmailSpec("Confirm your {{ app_name }} password change", None),
    _T.OTP_FORGOT_PASSWORD: EmailSpec("Your {{ app_name }} account recovery code", None),
    _T.OTP_ADMIN_LOGIN: EmailSpec("{{ app_name }} admin panel sign-in code", None),
    _T.WELCOME: EmailSpec("Welcome to {{ app_name }}, {{ username }}", ACCOUNT_UPDATES),
    _T.PASSWORD_CHANGED: EmailSpec("Your {{ app_name }} password was changed", None),
    _T.USERNAME_CHANGED: EmailSpec(
        "Your {{ app_name }} username is now {{ new_username }}", ACCOUNT_UPDATES
    ),
    _T.ACCOUNT_DEACTIVATED: EmailSpec("Your {{ app_name }} account has been deactivated", None),
    _T.ACCOUNT_REACTIVATED: EmailSpec(
        "Your {{ app_name }} account is active again", ACCOUNT_UPDATES
    ),
    _T.LIMIT_BURST: EmailSpec(
        "Slow down: too many {{ app_name }} requests at once", RATE_LIMIT_ALERTS
    ),
    _T.LIMIT_HOURLY: EmailSpec("You've hit your hourly {{ app_name }} limit", RATE_LIMIT_ALERTS),
    _T.LIMIT_DAILY: EmailSpec("You've hit your daily {{ app_name }} limit", RATE_LIMIT_ALERTS),
    _T.REPORT_DAILY: EmailSpec("Daily portfolio report: {{ period_label }}", PORTFOLIO_REPORTS),
    _T.REPORT_WEEKLY: EmailSpec("Weekly portfolio report: {{ period_label }}", PORTFOLIO_REPORTS),
    _T.REPORT_MONTHLY: EmailSpec("Monthly portfolio report: {{ period_label }}", PORTFOLIO_REPORTS),
    _T.MAINTENANCE: EmailSpec("Planned maintenance on {{ app_name }}", SYSTEM_NOTICES),
    _T.SECURITY_ALERT: EmailSpec("Security alert on your {{ app_name }} account", None),
    _T.PRICE_ALERT: EmailSpec("Price alert: {{ condition }}", PRICE_ALERTS),
}

#: Keys every template reads. ``username`` is not listed: it defaults to None
#: because OTP mails can go out before an account exists.
COMMON_CONTEXT: frozenset[str] = frozenset({"app_name", "app_url"})

_OTP = frozenset({"code", "expires_minutes"})
_LIMIT = frozenset({"limit", "window", "retry_after"})
_REPORT = frozenset(
    {"period_label", "holdings", "totals", "top_gainers", "top_losers", "data_source", "as_of"}
)

_SPECIFIC: dict[EmailType, frozenset[str]] = {
    _T.OTP_REGISTRATION: _OTP,
    _T.OTP_PASSWORD_RESET: _OTP,
    _T.OTP_FORGOT_PASSWORD: _OTP,
    _T.OTP_ADMIN_LOGIN: _OTP,
    _T.WELCOME: frozenset({"username"}),
    _T.PASSWORD_CHANGED: frozenset({"changed_at"}),
    _T.USERNAME_CHANGED: frozenset({"old_username", "new_username"}),
    _T.ACCOUNT_DEACTIVATED: frozenset(),
    _T.ACCOUNT_REACTIVATED: frozenset(),
    _T.LIMIT_BURST: _LIMIT,
    _T.LIMIT_HOURLY: _LIMIT,
    _T.LIMIT_DAILY: _LIMIT,
    _T.REPORT_DAILY: _REPORT,
    _T.REPORT_WEEKLY: _REPORT,
    _T.REPORT_MONTHLY: _REPORT,
    _T.MAINTENANCE: frozenset({"message"}),
    _T.SECURITY_ALERT: frozenset({"event", "occurred_at"}),
    _T.PRICE_ALERT: frozenset({"symbol", "condition", "value", "as_of", "data_source"}),
}

#: Keys that must be present in the caller's context (their values may still be
#: falsy). Rendering raises ``MissingContext`` when any is absent.
REQUIRED_CONTEXT: dict[EmailType, frozenset[str]] = {
    t: COMMON_CONTEXT | keys for t, keys in _SPECIFIC.items()
}

#: Nullable keys a template reads; when the caller omits one it renders as None.
OPTIONAL_CONTEXT: dict[EmailType, frozenset[str]] = {
    t: frozenset({"username"} - REQUIRED_CONTEXT[t]) for t in EmailType
}
OPTIONAL_CONTEXT[_T.PASSWORD_CHANGED] |= {"ip"}
OPTIONAL_CONTEXT[_T.ACCOUNT_DEACTIVATED] |= {"reason"}
OPTIONAL_CONTEXT[_T.MAINTENANCE] |= {"starts_at", "ends_at"}
OPTIONAL_CONTEXT[_T.SECURITY_ALERT] |= {"ip"}
