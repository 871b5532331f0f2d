"""Is a service our tests need reachable? Used by the Makefile and by fixtures.

    python -m tribune.testing.services postgres|redis|chromium

exits 0 when it is, 1 with a one-line reason when it is not.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from urllib.parse import urlsplit

POSTGRES_URL = os.environ.get(
    "TRIBUNE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TRIBUNE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("TRIBUNE_TEST_CHROMIUM", "/usr/bin/chromium")


def _port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def postgres_reason() -> str | None:
    if not _port_open(POSTGRES_URL, 5432):
        return f"PostgreSQL not reachable at {urlsplit(POSTGRES_URL).netloc}"
    return None


def redis_reason() -> str | None:
    if not _port_open(REDIS_URL, 6379):
        return f"Redis not reachable at {urlsplit(REDIS_URL).netloc}"
    return None


def chromium_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


REASONS = {"postgres": postgres_reason, "redis": redis_reason, "chromium": chromium_reason}


def main() -> int:
    reason = REASONS[sys.argv[1]]()
    if reason:
        print(reason)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
