"""`tribune worker` with one thing changed, to see what a proposed fix is worth: a diagnostic.

    python bench/publishing_worker.py [--network-concurrency N] [--shared-tls] [run_huey options]

- --network-concurrency N: the engine lets at most the network's
  Pace.network_concurrency publishes run at once per worker process (8 for
  Mastodon, tribune/editorial/rules_table.py); here the engine's semaphore is
  set to N before the consumer starts.
- --shared-tls: tribune/networks/clients.py builds a new httpx.Client per
  publish, and each one loads the CA bundle into a new SSL context (about
  30-50 ms of CPU here, more than all the database work of a publish). Here
  every client gets one SSL context made once per process instead.

bench/publishing.py starts its workers through this file only when asked to
(--network-concurrency, --shared-tls); its figures then say so.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network-concurrency", type=int)
    parser.add_argument("--shared-tls", action="store_true")
    args, rest = parser.parse_known_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()
    from tribune import cli
    from tribune.networks import clients
    from tribune.publishing import engine

    if args.network_concurrency:
        engine._network_slots["mastodon"] = threading.BoundedSemaphore(args.network_concurrency)
    if args.shared_tls:
        import ssl

        import certifi
        import httpx

        context = ssl.create_default_context(cafile=certifi.where())

        def http_client() -> httpx.Client:
            return httpx.Client(
                timeout=clients.TIMEOUT, headers={"User-Agent": clients.USER_AGENT}, verify=context
            )

        clients.http_client = http_client
    return cli.worker(rest)


if __name__ == "__main__":
    sys.exit(main())
