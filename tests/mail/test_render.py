"""Behaviour of the transactional email catalogue and renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from domain.mail.catalog import (
    PREFERENCE_KEYS,
    REQUIRED_CONTEXT,
    SPECS,
    EmailType,
)
from domain.mail.render import (
    TEMPLATE_DIR,
    MissingContext,
    RenderedEmail,
    format_inr,
    format_pct,
    render,
)

BASE = {"app_name": "Kubera", "app_url": "https://kubera.example", "username": "asha"}

OTP = {"code": "482913", "expires_minutes": 10}
LIMIT = {"limit": 20, "window": "1 minute", "retry_after": "in 42 seconds"}
REPORT = {
    "period_label": "Tue 14 Jan 2025",
    "holdings": [
        {
            "symbol": "INFY",
            "name": "Infosys Ltd",
            "quantity": 10,
            "avg_price": 1450.0,
            "last_price": 1520.5,
            "value": 15205.0,
            "pnl": 705.0,
            "pnl_pct": 4.8621,
            "day_change_pct": 1.2,
        },
        {
            "symbol": "TATAMOTORS",
            "name": "Tata Motors Ltd",
            "quantity": 50,
            "avg_price": 980.0,
            "last_price": 910.25,
            "value": 45512.5,
            "pnl": -3487.5,
            "pnl_pct": -7.1173,
            "day_change_pct": -2.5,
        },
    ],
    "totals": {
        "invested": 63500.0,
        "value": 60717.5,
        "pnl": -2782.5,
        "pnl_pct": -4.3819,
        "day_change": -980.75,
    },
    "top_gainers": [{"symbol": "INFY", "day_change_pct": 1.2}],
    "top_losers": [{"symbol": "TATAMOTORS", "day_change_pct": -2.5}],
    "data_source": "yfinance",
    "as_of": "14 Jan 2025, 15:30 IST",
}

SAMPLES: dict[EmailType, dict[str, Any]] = {
    EmailType.OTP_REGISTRATION: {**OTP, "username": None},
    EmailType.OTP_PASSWORD_RESET: OTP,
    EmailType.OTP_FORGOT_PASSWORD: {**OTP, "username": None},
    EmailType.OTP_ADMIN_LOGIN: OTP,
    EmailType.WELCOME: {},
    EmailType.PASSWORD_CHANGED: {"changed_at": "14 Jan 2025, 09:12 IST", "ip": "203.0.113.7"},
    EmailType.USERNAME_CHANGED: {"old_username": "asha", "new_username": "asha_invests"},
    EmailType.ACCOUNT_DEACTIVATED: {"reason": "Requested by the account holder"},
    EmailType.ACCOUNT_REACTIVATED: {},
    EmailType.LIMIT_BURST: LIMIT,
    EmailType.LIMIT_HOURLY: {**LIMIT, "limit": 100, "window": "1 hour"},
    EmailType.LIMIT_DAILY: {**LIMIT, "limit": 500, "window": "24 hours"},
    EmailType.REPORT_DAILY: REPORT,
    EmailType.REPORT_WEEKLY: {**REPORT, "period_label": "Week of 13 Jan 2025"},
    EmailType.REPORT_MONTHLY: {**REPORT, "period_label": "January 2025"},
    EmailType.MAINTENANCE: {
        "message": "We are upgrading the market data pipeline.",
        "starts_at": "18 Jan 2025, 22:00 IST",
        "ends_at": "19 Jan 2025, 02:00 IST",
    },
    EmailType.SECURITY_ALERT: {
        "event": "A refresh token was reused; all sessions of that sign-in were signed out",
        "occurred_at": "14 Jan 2025, 10:01 IST",
        "ip": None,
    },
    EmailType.PRICE_ALERT: {
        "symbol": "INFY",
        "condition": "INFY above ₹1,600.00",
        "value": "₹1,604.35",
        "as_of": "14 Jan 2025, 11:20 IST",
        "data_source": "yfinance",
    },
}

ALWAYS_SENT = {
    EmailType.OTP_REGISTRATION,
    EmailType.OTP_PASSWORD_RESET,
    EmailType.OTP_FORGOT_PASSWORD,
    EmailType.OTP_ADMIN_LOGIN,
    EmailType.PASSWORD_CHANGED,
    EmailType.ACCOUNT_DEACTIVATED,
    EmailType.SECURITY_ALERT,
}


def sample(email_type: EmailType, **overrides: Any) -> dict[str, Any]:
    return {**BASE, **SAMPLES[email_type], **overrides}


def test_samples_cover_every_email_type() -> None:
    assert set(SAMPLES) == set(EmailType)


def test_every_email_type_has_a_spec_and_required_context() -> None:
    assert set(SPECS) == set(EmailType)
    assert set(REQUIRED_CONTEXT) == set(EmailType)


def test_every_email_type_has_a_text_and_an_html_template() -> None:
    for email_type in EmailType:
        assert (TEMPLATE_DIR / f"{email_type}.txt.j2").is_file()
        assert (TEMPLATE_DIR / f"{email_type}.html.j2").is_file()


@pytest.mark.parametrize("email_type", list(EmailType))
def test_every_email_type_renders_a_single_line_subject_and_both_bodies(
    email_type: EmailType,
) -> None:
    email = render(email_type, sample(email_type))

    assert isinstance(email, RenderedEmail)
    assert email.subject.strip()
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.text.strip()
    assert email.html.lstrip().startswith("<!DOCTYPE html>")
    assert "Kubera" in email.html


@pytest.mark.parametrize("email_type", list(EmailType))
def test_every_email_says_it_is_not_investment_advice(email_type: EmailType) -> None:
    email = render(email_type, sample(email_type))

    assert "not investment advice" in email.text
    assert "not investment advice" in email.html


def test_email_type_can_be_given_as_its_string_value() -> None:
    assert render("welcome", sample(EmailType.WELCOME)).subject == "Welcome to Kubera, asha"


@pytest.mark.parametrize("email_type", [t for t in EmailType if t.value.startswith("otp_")])
def test_otp_email_shows_the_code_in_both_bodies(email_type: EmailType) -> None:
    email = render(email_type, sample(email_type))

    for body in (email.text, email.html):
        assert "482913" in body
        assert "10 minutes" in body
        assert "Never share this code" in body


def test_otp_email_greets_generically_when_there_is_no_username_yet() -> None:
    context = sample(EmailType.OTP_REGISTRATION)
    del context["username"]

    email = render(EmailType.OTP_REGISTRATION, context)

    assert email.text.startswith("Hello,")


def test_admin_login_code_mentions_the_admin_panel() -> None:
    email = render(EmailType.OTP_ADMIN_LOGIN, sample(EmailType.OTP_ADMIN_LOGIN))

    assert "admin panel" in email.subject
    assert "admin panel" in email.text
    assert "admin panel" in email.html


def test_html_escapes_a_hostile_username_while_text_keeps_it_verbatim() -> None:
    hostile = "<script>alert(1)</script>"

    email = render(EmailType.WELCOME, sample(EmailType.WELCOME, username=hostile))

    assert hostile not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert hostile in email.text


def test_subject_is_not_html_escaped() -> None:
    email = render(EmailType.WELCOME, sample(EmailType.WELCOME, username="R&D <team>"))

    assert email.subject == "Welcome to Kubera, R&D <team>"


def test_subject_with_newlines_in_user_data_is_collapsed_onto_one_line() -> None:
    context = sample(EmailType.WELCOME, username="asha\r\nBcc: victim@example.com")

    email = render(EmailType.WELCOME, context)

    assert "\n" not in email.subject and "\r" not in email.subject


def test_missing_context_raises_and_names_every_missing_key() -> None:
    context = sample(EmailType.OTP_REGISTRATION)
    del context["code"]
    del context["app_url"]

    with pytest.raises(MissingContext) as excinfo:
        render(EmailType.OTP_REGISTRATION, context)

    assert excinfo.value.missing == ("app_url", "code")
    assert "app_url" in str(excinfo.value) and "code" in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_welcome_requires_a_username() -> None:
    context = sample(EmailType.WELCOME)
    del context["username"]

    with pytest.raises(MissingContext):
        render(EmailType.WELCOME, context)


def test_nullable_keys_may_be_left_out() -> None:
    context = {**BASE, "message": "Database upgrade."}

    email = render(EmailType.MAINTENANCE, context)

    assert "Database upgrade." in email.text
    assert "planned from" not in email.text


def test_password_changed_mentions_the_ip_only_when_known() -> None:
    with_ip = render(EmailType.PASSWORD_CHANGED, sample(EmailType.PASSWORD_CHANGED))
    without_ip = render(EmailType.PASSWORD_CHANGED, sample(EmailType.PASSWORD_CHANGED, ip=None))

    assert "203.0.113.7" in with_ip.text and "203.0.113.7" in with_ip.html
    assert "IP address" not in without_ip.text


def test_maintenance_describes_a_window_with_only_one_known_end() -> None:
    email = render(
        EmailType.MAINTENANCE,
        sample(EmailType.MAINTENANCE, starts_at=None, ends_at="02:00 IST"),
    )

    assert "finished by 02:00 IST" in email.text
    assert "finished by <strong>02:00 IST</strong>" in email.html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567.891, "₹12,34,567.89"),
        (0, "₹0.00"),
        (0.5, "₹0.50"),
        (7, "₹7.00"),
        (999.999, "₹1,000.00"),
        (100000, "₹1,00,000.00"),
        (123456789012.3, "₹1,23,45,67,89,012.30"),
        (-1234.5, "-₹1,234.50"),
        (-0.001, "₹0.00"),
        (2.675, "₹2.68"),
    ],
)
def test_inr_uses_the_rupee_sign_and_indian_digit_grouping(value: float, expected: str) -> None:
    assert format_inr(value) == expected


def test_inr_can_sign_gains_for_profit_and_loss_figures() -> None:
    assert format_inr(705, signed=True) == "+₹705.00"
    assert format_inr(-3487.5, signed=True) == "-₹3,487.50"
    assert format_inr(0, signed=True) == "₹0.00"


def test_inr_rejects_values_that_are_not_finite_numbers() -> None:
    with pytest.raises(ValueError):
        format_inr(float("nan"))
    with pytest.raises(TypeError):
        format_inr("12")  # type: ignore[arg-type]


def test_pct_is_signed_with_two_decimals() -> None:
    assert format_pct(4.8621) == "+4.86%"
    assert format_pct(-0.5) == "-0.50%"
    assert format_pct(0) == "0.00%"


def test_report_shows_figures_in_rupees_and_signed_percentages() -> None:
    email = render(EmailType.REPORT_DAILY, sample(EmailType.REPORT_DAILY))

    for body in (email.text, email.html):
        assert "₹60,717.50" in body
        assert "-₹2,782.50" in body
        assert "-4.38%" in body
        assert "+1.20%" in body
        assert "TATAMOTORS" in body
        assert "synthetic" not in body


@pytest.mark.parametrize(
    "email_type", [EmailType.REPORT_DAILY, EmailType.REPORT_WEEKLY, EmailType.REPORT_MONTHLY]
)
def test_demo_report_says_the_figures_are_synthetic_demo_data(email_type: EmailType) -> None:
    email = render(email_type, sample(email_type, data_source="demo"))

    for body in (email.text, email.html):
        assert "demo data" in body.lower()
        assert "synthetic" in body


def test_demo_price_alert_says_the_price_is_synthetic() -> None:
    email = render(EmailType.PRICE_ALERT, sample(EmailType.PRICE_ALERT, data_source="demo"))

    assert "synthetic" in email.text and "synthetic" in email.html


def test_report_with_no_holdings_still_renders() -> None:
    context = sample(
        EmailType.REPORT_WEEKLY,
        holdings=[],
        top_gainers=[],
        top_losers=[],
        totals={"invested": 0, "value": 0, "pnl": 0, "pnl_pct": 0, "day_change": 0},
    )

    email = render(EmailType.REPORT_WEEKLY, context)

    assert "no holdings yet" in email.text
    assert "no holdings yet" in email.html


def test_report_with_a_holding_missing_a_field_fails_loudly() -> None:
    broken = dict(REPORT["holdings"][0])
    del broken["last_price"]

    with pytest.raises(Exception, match="last_price"):
        render(EmailType.REPORT_DAILY, sample(EmailType.REPORT_DAILY, holdings=[broken]))


def test_always_sent_types_have_no_preference() -> None:
    for email_type in EmailType:
        assert (SPECS[email_type].preference is None) == (email_type in ALWAYS_SENT)


def test_optional_types_use_a_known_preference_key() -> None:
    used = {spec.preference for spec in SPECS.values() if spec.preference is not None}

    assert used == set(PREFERENCE_KEYS)


def test_footer_explains_how_to_opt_out_only_when_opting_out_is_possible() -> None:
    optional = render(EmailType.REPORT_DAILY, sample(EmailType.REPORT_DAILY))
    mandatory = render(EmailType.SECURITY_ALERT, sample(EmailType.SECURITY_ALERT))

    assert "https://kubera.example/settings" in optional.text
    assert "https://kubera.example/settings" in optional.html
    assert "email preferences" in optional.text
    assert "/settings" not in mandatory.text
    assert "/settings" not in mandatory.html
    assert "required service message" in mandatory.text


def test_templates_folder_has_no_orphan_type_templates() -> None:
    stems = {
        path.name.split(".")[0]
        for path in Path(TEMPLATE_DIR).glob("*.j2")
        if not path.name.startswith(("_", "base."))
    }

    assert stems == {str(t) for t in EmailType}
