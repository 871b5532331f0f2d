"""A worker process's publishing loop: claim due targets in batches, send them on threads.

Why a loop rather than a task per target: at thousands of targets a minute, a
Huey task and a claim for each target cost more CPU than sending them
(bench/publishing.py). One loop runs per worker process at a time. It claims
whatever is due (batch.claim_batch), hands each claim to a pool of threads
(each runs engine.execute: it sends, then hands the outcome back), settles the
outcomes handed back many at a time (settlement.settle_many: one transaction),
and claims again as the threads finish, at most every CLAIM_INTERVAL seconds,
so that a claim gathers what fell due meanwhile instead of costing a claim per
target. When nothing is due and nothing is in flight it waits for a due time
within LOOKAHEAD seconds, or ends; the next due time's task starts it again.
While its claims come back full, it queues one more task now and then, for an idle
worker process to join in (HELP_INTERVAL).

Any number of processes on any number of machines may run it: claims are atomic
(batch.py). A process killed mid-batch leaves its targets "publishing" under a
lease, which the sweeper resolves the safe way, as for any dead worker; that
includes publications sent but not yet settled (the next attempt checks first:
the idempotency key, or find_published).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .batch import claim_batch, next_due_after
from .claims import Claim, worker_id
from .engine import execute
from .settlement import Settlement, settle_many

log = logging.getLogger(__name__)

# Seconds between claims while publications are in flight: small against a due time's
# lateness, large enough that one claim gathers several targets.
CLAIM_INTERVAL = 0.1
# With nothing due and nothing in flight, the loop waits for a target due within this
# many seconds rather than end: the task queued for that time would start up to 1.5 s
# late (tasks.HEAD_START says why). Longer than HEAD_START, so that a task started ahead
# of its due time waits for it.
LOOKAHEAD = 2.0
# While a claim comes back full (more is due than this process has room for), the loop
# queues one more `publish_due` task at most this often, so that an idle worker process
# joins in: due times close together share one task, and 5,000 targets due the same
# second started one process's loop, while the others idled (bench/publishing.py burst).
# A process whose loop already runs takes the task as "look once more": a no-op here.
HELP_INTERVAL = 1.0

_lock = threading.Lock()
_running = False
_wanted = False
_pool: ThreadPoolExecutor | None = None
_warmed = False
_warming: threading.Barrier | None = None
# Outcomes the sending threads gathered, for the loop to settle many at a time.
_outcomes: queue.SimpleQueue[tuple[Claim, Settlement]] = queue.SimpleQueue()


def _threads() -> int:
    return settings.PUBLISH_THREADS


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_threads(), thread_name_prefix="tribune-publish")
        return _pool


def warm() -> None:
    """Start the sending threads and open their database connections now, once per
    process, rather than at the first due time: a cold pool opened 32 connections at once
    just as the first posts fell due, and the first seconds of bench/publishing.py's
    steady run went out 1.5 to 3.4 s late against under a second afterwards."""
    global _warmed, _warming
    with _lock:
        if _warmed:
            return
        _warmed = True
    _prime_http()
    count = _threads()
    # Each job waits for the others, so that every one runs in a thread of its own; briefly,
    # and stop() breaks the wait, so that a worker stopped at once still exits at once.
    together = _warming = threading.Barrier(count)

    def open_connection() -> None:
        try:
            connection.ensure_connection()
            together.wait(timeout=5)
        except (threading.BrokenBarrierError, DatabaseError):
            log.info("a publishing thread did not open its connection ahead of time")

    pool = _executor()
    for _n in range(count):
        pool.submit(open_connection)


def _prime_http() -> None:
    """Import the HTTP stack and build the connectors' shared TLS context now: the first
    publications of a cold process otherwise paid for them (tens of milliseconds each,
    on threads that all wanted them at once)."""
    from tribune.networks.clients import http_client

    http_client().close()


def stop() -> None:
    """The worker is stopping: end the warm-up's wait (threads still waiting for it)."""
    if _warming is not None:
        _warming.abort()


def publish_due(inline: bool = False) -> int:
    """Publish what is due; return how many targets were handled.

    When this process's loop already runs, it is told to look once more before ending
    (a target may have fallen due just as it found nothing), and this call returns 0.
    inline=True sends in the calling thread, one after another (tests run Huey in
    their own thread and transaction, which other threads cannot see)."""
    global _running, _wanted
    with _lock:
        if _running:
            _wanted = True
            return 0
        _running = True
    handled = 0
    try:
        while True:
            handled += _drain_inline() if inline else _drain_on_threads()
            with _lock:
                if not _wanted:
                    break
                _wanted = False
    finally:
        with _lock:
            _running = False
    return handled


def _drain_inline() -> int:
    worker, handled = worker_id(), 0
    while claims := claim_batch(worker, timezone.now(), _threads()):
        for claim in claims:
            _send(claim)
        _settle_gathered()
        handled += len(claims)
    return handled


def _drain_on_threads() -> int:
    # Twice the threads in flight: the claimed ones wait in the pool's queue while the
    # others are sent, so the threads never idle between two claims.
    room, worker, pool = 2 * _threads(), worker_id(), _executor()
    in_flight: set[Future] = set()
    handled, last_claim, last_call = 0, float("-inf"), float("-inf")
    while True:
        _settle_gathered()
        since = time.monotonic() - last_claim
        if len(in_flight) < room and (not in_flight or since >= CLAIM_INTERVAL):
            wanted = room - len(in_flight)
            claims = claim_batch(worker, timezone.now(), wanted)
            last_claim = time.monotonic()
            if len(claims) == wanted and last_claim - last_call >= HELP_INTERVAL:
                last_call = last_claim
                _call_for_help()
            in_flight |= {pool.submit(_send, claim) for claim in claims}
            if not in_flight:
                if not _wait_for_next_due():
                    return handled
                continue
        done, in_flight = wait(in_flight, timeout=CLAIM_INTERVAL, return_when=FIRST_COMPLETED)
        handled += len(done)


def _call_for_help() -> None:
    """Queue one more loop, for another worker process to take (HELP_INTERVAL says why)."""
    from . import tasks  # tasks imports this module

    try:
        tasks.publish_due()
    except Exception:  # noqa: BLE001 - the queue is down: this process goes on alone
        log.warning("could not queue a publishing task for another worker", exc_info=True)


def _wait_for_next_due() -> bool:
    """Sleep until the next due time when it is within LOOKAHEAD; False when it is not."""
    now = timezone.now()
    upcoming = next_due_after(now)
    if upcoming is None or (upcoming - now).total_seconds() > LOOKAHEAD:
        return False
    time.sleep(max(0.0, (upcoming - timezone.now()).total_seconds()))
    return True


def _gather(claim: Claim, result: Settlement) -> Settlement:
    _outcomes.put((claim, result))
    return result


def _settle_gathered() -> None:
    """Settle, in one transaction, every outcome the sending threads gathered so far."""
    outcomes = []
    while True:
        try:
            outcomes.append(_outcomes.get_nowait())
        except queue.Empty:
            break
    settle_many(outcomes)


def _send(claim: Claim) -> None:
    try:
        execute(claim, record=_gather)
    except Exception:  # noqa: BLE001 - the lease runs out and the sweeper resolves it
        log.exception("publishing target %s failed unexpectedly", claim.target.pk)
    finally:
        # Threads of the pool keep their connection between targets: close one that
        # failed (a restarted database), so the next target opens a fresh one.
        if connection.errors_occurred:
            connection.close_if_unusable_or_obsolete()
