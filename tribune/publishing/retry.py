"""When to try again: exponential backoff with full jitter and a ceiling.

A retry only ever follows an error that cannot have published anything (the
request never left, or the network said "later"), or one the network
deduplicates (an idempotency key) or `find_published` can settle. See
docs/publishing.md.
"""

from __future__ import annotations

import random
from datetime import timedelta

# The first retry comes within half a second to a second: a post is expected on time,
# and a repeat is only ever sent when it cannot duplicate (with 1% of 5xx answers, a
# later first retry put the retried posts past 2 s of lateness: bench/publishing.py).
# Later ones spread out to the ceiling.
BASE_DELAY_S = 1.0
MAX_DELAY_S = 15 * 60.0
# After this many attempts a target fails ("the network kept failing"): about 17
# minutes of retries at the most, then a person is told.
MAX_ATTEMPTS = 11


def backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt `attempt + 1`: uniform in [base/2, min(ceiling, base * 2^(n-1))].

    The lower bound keeps a retry from hammering at once; the jitter spreads
    the retries of many targets that failed together (a network outage).
    """
    rng = rng or random
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    low = min(BASE_DELAY_S / 2, ceiling)
    return timedelta(seconds=rng.uniform(low, ceiling))


def gave_up(attempt: int) -> bool:
    return attempt >= MAX_ATTEMPTS
