"""The publishing bench's world: a throw-away install, its accounts, posts and targets.

Part of bench/publishing.py (see its docstring). Everything here runs in the
bench's own process, which sets Django up once against the same database and
queue as the workers it starts.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "tribune_bench_pub"
# Tests use Redis database 15; the bench has 14 and a queue name of its own.
REDIS_URL = "redis://127.0.0.1:6379/14"
QUEUE_NAME = "tribune-bench-pub"
SECRET_KEY = "bench-publishing-secret-key-not-for-production-0123456789"


@dataclass
class Install:
    backend: str  # "sqlite" or "postgresql"
    var: Path
    database_url: str


def prepare_install(backend: str, var: Path, lease_s: int | None) -> Install:
    """Create the database (PostgreSQL: dropped and created again) and set the environment.

    The environment is what the workers inherit: same database, queue, secret
    key (so they can decrypt the tokens the bench stored) and lease length.
    """
    if backend == "postgresql":
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE
        recreate_postgres()
    else:
        url = "sqlite:///" + str(var / "tribune.sqlite3")
    for name in [k for k in os.environ if k.startswith("TRIBUNE_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tribune.settings",
        TRIBUNE_VAR_DIR=str(var),
        TRIBUNE_DATABASE_URL=url,
        TRIBUNE_SECRET_KEY=SECRET_KEY,
        TRIBUNE_QUEUE_NAME=QUEUE_NAME,
        TRIBUNE_EMAIL_URL="file://" + str(var / "mail"),
    )
    if backend == "postgresql":
        os.environ["TRIBUNE_REDIS_URL"] = REDIS_URL
    if lease_s:
        os.environ["TRIBUNE_PUBLISH_LEASE_SECONDS"] = str(lease_s)
    return Install(backend, var, url)


def recreate_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def setup_django() -> None:
    """Set Django up in this process, migrate, and empty the bench's queue."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from huey.contrib.djhuey import HUEY

    call_command("migrate", interactive=False, verbosity=0)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the bench's own calls to /stats
    HUEY.flush()  # this queue name's keys only (Redis), or the throw-away SQLite queue


@dataclass
class World:
    account_ids: list[int]
    base: datetime  # the provisional start the due times were seeded from
    # (post id, account id, seconds after the start) per target; the post id is its marker.
    targets: list[tuple[int, int, int]]


def seed(base_url: str, accounts: int, targets: int, spread_s: int, seed_value: int = 7) -> World:
    """Create one workspace, `accounts` Mastodon accounts on the simulator, and `targets`
    scheduled posts (one variant, one target each), due a day from now plus 0 to spread_s
    seconds (moved to the real start later by `start_at`)."""
    from django.utils import timezone

    from tribune.editorial.choices import PostState
    from tribune.editorial.models import Post, Variant
    from tribune.networks.models import Account, AccountStatus
    from tribune.publishing.models import Target
    from tribune.workspaces.models import Membership, User, Workspace
    from tribune.workspaces.roles import Role

    rng = random.Random(seed_value)
    workspace = Workspace.objects.create(name="Bench", slug="bench-pub", time_zone="UTC")
    owner = User.objects.create_user("bench-owner", "bench@example.org", "bench-password")
    Membership.objects.create(workspace=workspace, user=owner, roles=[Role.OWNER])
    rows = Account.objects.bulk_create(
        [
            Account(
                workspace=workspace, network="mastodon", name=f"Bench {i}", handle=f"bench{i}",
                remote_id=str(i), base_url=base_url, token=f"bench-token-{i}",
                status=AccountStatus.ACTIVE,
            )
            for i in range(accounts)
        ],
        batch_size=1000,
    )  # fmt: skip
    account_ids = [a.pk for a in rows]
    base = timezone.now() + timedelta(days=1)
    offsets = [rng.randrange(spread_s) if spread_s > 0 else 0 for _ in range(targets)]
    posts = Post.objects.bulk_create(
        [
            Post(workspace=workspace, title=f"Bench post {i}", state=PostState.SCHEDULED,
                 scheduled_at=base + timedelta(seconds=offsets[i]), author=owner)
            for i in range(targets)
        ],
        batch_size=2000,
    )  # fmt: skip
    variants = Variant.objects.bulk_create(
        [
            Variant(post=post, network="mastodon", text=f"Bench post {i} [t:{post.pk}]")
            for i, post in enumerate(posts)
        ],
        batch_size=2000,
    )
    plan = []
    target_rows = []
    for i, (post, variant) in enumerate(zip(posts, variants, strict=True)):
        account_id = account_ids[i % accounts]
        due = base + timedelta(seconds=offsets[i])
        # bulk_create skips Target.save(), which is where the key is usually drawn.
        target_rows.append(
            Target(workspace=workspace, post=post, variant=variant, account_id=account_id,
                   due_at=due, next_attempt_at=due, idempotency_key=uuid.uuid4().hex)
        )  # fmt: skip
        plan.append((post.pk, account_id, offsets[i]))
    Target.objects.bulk_create(target_rows, batch_size=2000)
    return World(account_ids, base, plan)


def start_at(world: World, start: datetime) -> tuple[int, float]:
    """Move every due time so the first is `start`, then queue the publish tasks.

    tasks.enqueue per (account, due second), as plan_targets does for a scheduled
    post (due times within a quarter second share one `publish_due` task).
    Returns (enqueue calls, seconds they took).
    """
    import time

    from django.db.models import F

    from tribune.editorial.models import Post
    from tribune.publishing.models import Target
    from tribune.publishing.tasks import enqueue

    shift = world.base - start
    Target.objects.update(due_at=F("due_at") - shift, next_attempt_at=F("next_attempt_at") - shift)
    Post.objects.update(scheduled_at=F("scheduled_at") - shift)
    began = time.perf_counter()
    pairs = sorted({(offset, account_id) for _post, account_id, offset in world.targets})
    for offset, account_id in pairs:
        enqueue(account_id, start + timedelta(seconds=offset))
    return len(pairs), time.perf_counter() - began
