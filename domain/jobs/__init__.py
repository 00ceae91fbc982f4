"""Scheduled and requested background jobs: their catalogue, schedules in IST,
and the record each run leaves (`job_runs`).

The scheduler (periodiq) only ticks: every periodic actor is sent every 15
minutes of the scheduler's local clock, and the actor asks `schedule` whether
its IST schedule is due at that tick. So the NSE-hours rules hold wherever the
scheduler runs, and `/scheduler/status` computes next runs from the same crons
the actors obey.
"""
