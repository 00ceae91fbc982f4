"""Prompt rate limits: burst, per chat, hourly and daily, checked fail-fast in that
order in one atomic Redis step.

The chat edge calls `admit_prompt` before storing a message; admins change limits
through the write helpers in `policy`, which take effect on every process's next
prompt.
"""
