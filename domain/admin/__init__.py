"""The admin slice: the two-step admin sign-in, the dashboard, user and limit
management, report settings, the chat switch (with the maintenance notice job)
and the append-only activity log.

Every change an admin makes is recorded by `audit.record` in the same
transaction as the change itself.
"""
