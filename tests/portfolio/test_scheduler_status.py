"""GET /scheduler/status: jobs with schedules and runs, queues, live workers."""

from __future__ import annotations

from datetime import datetime


def test_the_status_lists_every_job_with_its_schedule_and_next_run(client, member, drain):
    from workers.jobs import cleanup_expired_otps

    cleanup_expired_otps.send(at="2026-12-03T12:00:00+05:30")
    drain()

    body = client.get("/scheduler/status", headers=member["headers"]).json()

    jobs = {job["name"]: job for job in body["jobs"]}
    assert set(jobs) == {
        "refresh_prices",
        "send_portfolio_reports",
        "cleanup_expired_otps",
        "cleanup_refresh_tokens",
        "cleanup_job_runs",
    }
    assert jobs["refresh_prices"]["cron"] == ["15,45 9-15 * * 1-5"]
    assert "NSE" in jobs["refresh_prices"]["schedule"]
    now = datetime.fromisoformat(body["now"])
    for job in jobs.values():
        assert job["trigger"] == "*/15 * * * *"
        assert datetime.fromisoformat(job["next_run"]) > now
    refresh_next = datetime.fromisoformat(jobs["refresh_prices"]["next_run"])
    assert refresh_next.weekday() < 5 and refresh_next.utcoffset().seconds == 19800
    assert jobs["cleanup_expired_otps"]["last_run"]["outcome"] == "ok"


def test_the_status_shows_queue_depths_and_live_workers(client, member):
    body = client.get("/scheduler/status", headers=member["headers"]).json()

    assert set(body["queues"]) == {"chat", "email", "jobs"}
    assert body["workers"]["by_queue"]["jobs"] >= 1
    assert body["workers"]["live"]


def test_the_status_needs_a_signed_in_user(client):
    assert client.get("/scheduler/status").status_code == 401


def test_every_job_is_a_periodic_actor_on_the_jobs_queue(stack):
    from domain.jobs.schedule import ALL_JOBS, TICK

    broker = stack["broker"]
    periodic = {
        name: broker.get_actor(name)
        for name in broker.get_declared_actors()
        if "periodic" in broker.get_actor(name).options
    }

    assert set(periodic) == set(ALL_JOBS)
    for actor in periodic.values():
        assert actor.queue_name == "jobs"
        assert str(actor.options["periodic"]) == TICK
