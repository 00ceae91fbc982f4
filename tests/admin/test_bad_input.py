"""Malformed admin requests: each a 4xx with problem details and a code, never
a 500, and none of them changes anything."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.admin.conftest import make_admin
from tests.helpers import sql

ANY_ID = str(uuid.uuid4())

MALFORMED = [
    ("GET", "/admin/users?page=abc", None),
    ("GET", "/admin/users?page=0", None),
    ("GET", "/admin/users?size=1000", None),
    ("GET", "/admin/users?is_active=maybe", None),
    ("GET", "/admin/users?role=owner", None),
    ("GET", "/admin/users/not-an-id", None),
    ("PUT", "/admin/users/not-an-id/deactivate", None),
    ("PUT", f"/admin/users/{ANY_ID}/deactivate", {"reason": "x" * 501}),
    ("PUT", f"/admin/users/{ANY_ID}/deactivate", {"why": "no such field"}),
    ("GET", "/admin/dashboard/prompt-activity?days=abc", None),
    ("GET", "/admin/dashboard/prompt-activity?days=0", None),
    ("PUT", "/admin/rate-limits/global", {"per_day": "lots"}),
    ("PUT", "/admin/rate-limits/global", {"per_day": 10**12}),
    ("PUT", "/admin/rate-limits/global", {"per_hour": 1.5}),
    ("PUT", "/admin/rate-limits/global", {"weekly": 5}),
    ("PUT", "/admin/rate-limits/global", [1, 2]),
    ("PUT", f"/admin/rate-limits/user/{ANY_ID}", {"per_chat": -1}),
    ("PUT", "/admin/rate-limits/user/not-an-id", {"per_chat": 1}),
    ("POST", "/admin/rate-limits/whitelist", {"user_id": "nope"}),
    ("POST", "/admin/rate-limits/whitelist", {}),
    ("DELETE", "/admin/rate-limits/whitelist/not-an-id", None),
    ("POST", "/admin/rate-limits/reset/not-an-id", None),
    ("GET", "/admin/rate-limits/violations?level=weekly", None),
    ("GET", "/admin/rate-limits/violations?since=yesterday", None),
    ("GET", "/admin/rate-limits/violations?user_id=nope", None),
    ("PUT", "/admin/portfolio-reports/settings", {"send_time": "25:00"}),
    ("PUT", "/admin/portfolio-reports/settings", {"daily_enabled": "sometimes"}),
    ("POST", "/admin/system/control", {}),
    ("POST", "/admin/system/control", {"action": "stop", "message": "x" * 1001}),
    (
        "POST",
        "/admin/system/control",
        {"action": "maintenance", "message": "m", "ends_at": "2031-01-01T00:00:00"},
    ),
    ("GET", "/admin/activity-logs?admin_id=nope", None),
    ("GET", "/admin/activity-logs?size=0", None),
    ("POST", "/admin/login/send-otp", {"username": "someone"}),
    ("POST", "/admin/login/verify-otp", {"username": "someone", "otp": "12"}),
]


@pytest.fixture(scope="module")
def admin(stack) -> dict:
    """One admin for the whole table: signing in is not what is tested here."""
    with httpx.Client(base_url=stack["url"], timeout=30) as http:
        return make_admin(http, stack["mailbox"])


def _state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        sql("SELECT count(*) FROM admin_activity_log"),
        sql("SELECT * FROM rate_limit_config"),
        sql("SELECT * FROM report_settings"),
        sql("SELECT chat_enabled, maintenance, message FROM system_state"),
        sql("SELECT count(*) FROM users WHERE is_active"),
    )


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED)
def test_a_malformed_admin_request_is_a_clear_4xx_that_changes_nothing(
    client, admin, method, path, body
):
    before = _state()

    response = client.request(method, path, json=body, headers=admin["headers"])

    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"], response.text
    assert _state() == before


def test_a_body_that_is_not_json_is_refused(client, admin):
    response = client.put(
        "/admin/rate-limits/global",
        content=b"per_day=5",
        headers=admin["headers"] | {"content-type": "text/plain"},
    )

    assert 400 <= response.status_code < 500 and response.json()["code"]
