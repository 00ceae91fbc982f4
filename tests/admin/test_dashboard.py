"""The dashboard's counts and the prompt-activity series."""

from __future__ import annotations

from tests.admin.conftest import prompt
from tests.helpers import register


def _dashboard(client, admin) -> dict:
    response = client.get("/admin/dashboard", headers=admin["headers"])
    assert response.status_code == 200, response.text
    return response.json()


def test_the_dashboard_counts_users_prompts_tools_and_emails(stack, client, mailbox, admin):
    before = _dashboard(client, admin)
    user = register(client, mailbox)
    answer = prompt(stack["url"], user["access_token"], "Analyse INFY")[-1]

    after = _dashboard(client, admin)

    assert answer["type"] == "message_complete"
    assert after["users"]["total"] == before["users"]["total"] + 1
    assert after["users"]["new"]["last_24h"] == before["users"]["new"]["last_24h"] + 1
    assert after["users"]["active"] <= after["users"]["total"]
    assert after["prompts"]["last_24h"] == before["prompts"]["last_24h"] + 1
    assert after["chats"]["last_7d"] == before["chats"]["last_7d"] + 1
    tools = {t["name"]: t for t in after["tool_calls"]}
    assert set(answer["metadata"]["tools_used"]) <= set(tools)
    assert all(t["calls_7d"] >= t["calls_24h"] >= 1 for t in tools.values() if t["calls_24h"])
    assert after["emails"]["sent"]["last_24h"] >= 1 and "failed" in after["emails"]
    assert set(after["violations"]) == {"burst", "per_chat", "hourly", "daily"}
    assert set(after["queues"]) == {"chat", "email", "jobs"}
    assert after["system"]["enabled"] is True


def test_prompt_activity_has_one_point_per_bucket_ending_now(stack, client, admin, member):
    prompt(stack["url"], member["access_token"])

    hours = client.get(
        "/admin/dashboard/prompt-activity",
        params={"bucket": "hour", "days": 1},
        headers=admin["headers"],
    ).json()
    days = client.get(
        "/admin/dashboard/prompt-activity",
        params={"bucket": "day", "days": 7},
        headers=admin["headers"],
    ).json()

    assert len(hours["points"]) == 24 and len(days["points"]) == 7
    starts = [p["start"] for p in hours["points"]]
    assert starts == sorted(starts)
    assert hours["points"][-1]["prompts"] >= 1 and hours["points"][-1]["users"] >= 1
    assert days["points"][-1]["prompts"] >= hours["points"][-1]["prompts"]


def test_prompt_activity_refuses_unknown_buckets_and_ranges(client, admin):
    bucket = client.get(
        "/admin/dashboard/prompt-activity", params={"bucket": "week"}, headers=admin["headers"]
    )
    days = client.get(
        "/admin/dashboard/prompt-activity",
        params={"bucket": "hour", "days": 60},
        headers=admin["headers"],
    )

    assert bucket.status_code == 400
    assert days.status_code == 400 and days.json()["errors"][0]["field"] == "days"
