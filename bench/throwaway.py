"""A throw-away Tribune for a benchmark: its own folder and database, Django set up, migrated.

Shared by the benchmarks that run Tribune in their own process (strategy pages, plan
PDF, editorial calendar, analytics).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configure(var: Path, database_url: str | None = None) -> None:
    """Point Tribune at `var` and the database (SQLite in `var` by default), then set
    Django up and migrate."""
    sys.path.insert(0, str(ROOT))
    for name in [k for k in os.environ if k.startswith("TRIBUNE_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tribune.settings",
        TRIBUNE_VAR_DIR=str(var),
        TRIBUNE_DATABASE_URL=database_url or f"sqlite:///{var / 'bench.sqlite3'}",
        TRIBUNE_ALLOWED_HOSTS="testserver",
        # Plain static storage (no collectstatic needed) and fast password hashing;
        # neither changes what a page costs to render.
        TRIBUNE_TESTING="true",
        TRIBUNE_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    (var / "static").mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
