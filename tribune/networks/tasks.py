"""Background work of the networks app (Huey): token health, every hour.

Refresh first, then warn: an account whose token was just renewed is no
longer expiring, so only the ones Tribune cannot renew reach people.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions_accounts import refresh_due_tokens, warn_expiring


@db_periodic_task(crontab(minute="17"))
def token_health() -> tuple[int, int]:
    """Return (tokens refreshed or tried, accounts warned about)."""
    return refresh_due_tokens(), warn_expiring()
