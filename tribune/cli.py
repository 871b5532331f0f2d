"""The `tribune` command: Django's management commands plus run, web and worker.

tribune run      migrate, seed the demo on an empty database, then serve
                 the web UI and one worker together (the embedded default)
tribune web      the web server alone (gunicorn), for scaling out
tribune worker   one queue worker alone, runnable many times on many machines
tribune <cmd>    any Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tribune.core.env import SettingsError, env_int, env_str


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()


def _bind() -> str:
    return env_str("TRIBUNE_BIND", "127.0.0.1:8000")


def web(argv: list[str]) -> None:
    """Serve the UI with gunicorn (threads: the app spends its time waiting on I/O)."""
    from gunicorn.app.wsgiapp import run as gunicorn_run

    _setup()
    sys.argv = [
        "gunicorn",
        "tribune.wsgi:application",
        "--bind",
        _bind(),
        "--workers",
        str(env_int("TRIBUNE_WEB_WORKERS", 1, minimum=1, maximum=64)),
        "--threads",
        str(env_int("TRIBUNE_WEB_THREADS", 4, minimum=1, maximum=64)),
        "--access-logfile",
        "-",
        *argv,
    ]
    gunicorn_run()


def worker(argv: list[str]) -> None:
    """Run one Huey consumer with a few threads."""
    from django.core.management import execute_from_command_line

    _setup()
    threads = str(env_int("TRIBUNE_WORKER_THREADS", 4, minimum=1, maximum=64))
    execute_from_command_line(["tribune", "run_huey", "-k", "thread", "-w", threads, *argv])


def prepare() -> None:
    """Migrate, collect static files, and seed the demo workspace on an empty database."""
    from django.core.management import call_command

    _setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", if_empty=True)


def run(argv: list[str]) -> int:
    """The embedded default: web and worker as two child processes, until Ctrl-C."""
    prepare()
    me = [sys.executable, "-m", "tribune.cli"]
    children = [subprocess.Popen([*me, "web", *argv]), subprocess.Popen([*me, "worker"])]
    print(f"Tribune is serving on http://{_bind()}/ (Ctrl-C to stop)", flush=True)

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [c.returncode for c in children if c.returncode not in (0, -15, None)]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    try:
        if command == "run":
            return run(args[1:])
        if command == "web":
            web(args[1:])
            return 0
        if command == "worker":
            worker(args[1:])
            return 0
        from django.core.management import execute_from_command_line

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
        execute_from_command_line(["tribune", *args])
        return 0
    except SettingsError as exc:
        print(f"tribune: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
