"""Every actor, for the `dramatiq` and `periodiq` command lines:

dramatiq workers.actors --queues email jobs
periodiq workers.actors
"""

from workers.broker import broker
from workers.chat import run_turn
from workers.email import send_email
from workers.jobs import cleanup_expired_otps, cleanup_refresh_tokens

__all__ = ["broker", "cleanup_expired_otps", "cleanup_refresh_tokens", "run_turn", "send_email"]
