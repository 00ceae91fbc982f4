"""Every actor, for the `dramatiq` and `periodiq` command lines:

dramatiq workers.actors --queues email jobs
periodiq workers.actors
"""

from workers.admin import send_maintenance_notice
from workers.broker import broker
from workers.chat import run_turn
from workers.email import send_email
from workers.jobs import cleanup_expired_otps, cleanup_job_runs, cleanup_refresh_tokens
from workers.portfolio import refresh_prices, send_portfolio_reports

__all__ = [
    "broker",
    "cleanup_expired_otps",
    "cleanup_job_runs",
    "cleanup_refresh_tokens",
    "refresh_prices",
    "run_turn",
    "send_email",
    "send_maintenance_notice",
    "send_portfolio_reports",
]
