"""The `tribune` command: Django's management commands plus run, web and worker.

tribune run      prepare, then serve the web UI and one worker together until
                 Ctrl-C (the embedded default: one machine, SQLite, no Redis)
tribune web      the web server alone (gunicorn), for scaling out
tribune worker   one queue worker alone, runnable many times on many machines
tribune prepare  migrate, collect static files, seed the demo on an empty database
                 (--no-demo: without the demo, for a production install)
tribune <cmd>    any Django management command (migrate, createsuperuser, ...)
tribune --version

A bad setting stops any of them with one line, `tribune: configuration error:
...`, and exit code 2.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from tribune.core.env import SettingsError, env_int, env_str

# The supervisor in `tribune run` stays small on purpose: it never imports
# Django, so the resident memory of an idle install is the web and worker
# processes only.
CHILD_LABELS = {"web": "web server", "worker": "worker"}
STOP_GRACE_SECONDS = 15
STATIC_MARK = ".tribune-collected"


def _settings_module() -> str:
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")


def _check_settings() -> None:
    """Load the settings alone (not the apps): raises SettingsError on a bad variable."""
    _settings_module()
    from django.conf import settings

    # Reading a setting makes Django load the module and set the process's
    # time zone, so the gunicorn master logs in the same zone as its workers.
    _ = settings.TIME_ZONE


def _setup() -> None:
    _settings_module()
    import django

    django.setup()


def _bind() -> str:
    return env_str("TRIBUNE_BIND", "127.0.0.1:8000")


def _gunicorn_options() -> list[str]:
    import gunicorn

    options = [
        "--bind",
        _bind(),
        "--workers",
        str(env_int("TRIBUNE_WEB_WORKERS", 1, minimum=1, maximum=64)),
        # Threads: a request spends its time waiting on the database or a network.
        "--threads",
        str(env_int("TRIBUNE_WEB_THREADS", 4, minimum=1, maximum=64)),
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
    ]
    # Gunicorn 25.1+ opens a control socket at one fixed path per user by
    # default, so two web servers on one machine would fight over it.
    if gunicorn.version_info >= (25, 1):
        options.append("--no-control-socket")
    return options


def web(argv: Sequence[str]) -> None:
    """Serve the UI with gunicorn; does not return (gunicorn exits the process)."""
    from gunicorn.app.wsgiapp import run as gunicorn_run

    # Only the settings here: the gunicorn master forks its workers before
    # loading the app, so Django itself is loaded in the workers alone.
    _check_settings()
    sys.argv = ["tribune web", *_gunicorn_options(), *argv, "tribune.wsgi:application"]
    gunicorn_run()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unreachable() -> str | None:
    """Return why the worker could not do its job (database or queue down), or None."""
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any failure is reported the same way
        return f"cannot reach the database: {_first_line(exc)}"
    finally:
        connection.close()
    try:
        HUEY.pending_count()
    except Exception as exc:  # noqa: BLE001
        return f"cannot reach the queue: {_first_line(exc)}"
    return None


def worker(argv: Sequence[str]) -> int:
    """Run one Huey consumer with a few threads (huey's run_huey options pass through).

    Returns 1 at once, with one line, when the database or the queue cannot be
    reached: the consumer would otherwise log a traceback per thread per second.
    """
    import logging

    from django.core.management import load_command_class

    _setup()
    reason = _unreachable()
    if reason:
        print(f"tribune: {reason}", file=sys.stderr)
        return 1
    # run_huey adds its own handler to the "huey" logger unless it has one;
    # a NullHandler keeps it from doing so, and the lines reach the root
    # handler, in the same format as the web server's. The consumer's start-up
    # and task lines are worth seeing (INFO), unless TRIBUNE_LOG_LEVEL is stricter.
    # (The command runs directly, not through execute_from_command_line, which
    # would set Django up again and reset this logging.)
    huey_log = logging.getLogger("huey")
    huey_log.addHandler(logging.NullHandler())
    huey_log.setLevel(max(logging.INFO, logging.getLogger().level))
    threads = str(env_int("TRIBUNE_WORKER_THREADS", 4, minimum=1, maximum=64))
    # --skip-checks: the system checks import every URL module and the views
    # behind them, which a worker never uses (about 40 MB of resident memory).
    command = load_command_class("huey.contrib.djhuey", "run_huey")
    command.run_from_argv(
        ["tribune worker", "run_huey", "--skip-checks", "-k", "thread", "-w", threads, *argv]
    )
    return 0


def _static_fingerprint() -> str:
    """Return a digest of every static source file (path, size, mtime) and the storage."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    entries = [settings.STORAGES["staticfiles"]["BACKEND"], str(settings.STATIC_ROOT)]
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collect_static() -> bool:
    """Run collectstatic unless nothing changed since the last run; returns whether it ran.

    Hashing and compressing every file takes seconds, and `tribune run` should
    be serving within seconds on its second start.
    """
    from django.conf import settings
    from django.core.management import call_command

    mark = Path(settings.STATIC_ROOT) / STATIC_MARK
    fingerprint = _static_fingerprint()
    if mark.exists() and mark.read_text(encoding="utf-8") == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    mark.write_text(fingerprint, encoding="utf-8")
    return True


def prepare(argv: Sequence[str]) -> int:
    """Migrate, collect static files, and seed the demo workspace on an empty database.

    `--no-demo` leaves the demo out (a production install). Returns an exit code.
    """
    from django.core.management import call_command

    unknown = [arg for arg in argv if arg != "--no-demo"]
    if unknown:
        print(f"tribune prepare: unknown argument {unknown[0]} (only --no-demo)", file=sys.stderr)
        return 2
    _setup()
    from django.db import OperationalError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except OperationalError as exc:
        print(f"tribune: cannot reach the database: {_first_line(exc)}", file=sys.stderr)
        return 1
    if collect_static():
        print("tribune: static files collected", flush=True)
    if "--no-demo" not in argv:
        call_command("seed_demo", if_empty=True)
    return 0


def _me() -> list[str]:
    return [sys.executable, "-m", "tribune.cli"]


def supervise(commands: dict[str, list[str]], grace: float = STOP_GRACE_SECONDS) -> int:
    """Run the commands as children until a signal or until one of them exits.

    Returns 0 after SIGINT/SIGTERM/SIGHUP once every child stopped, 1 when a
    child exited on its own (the others are then stopped, with a message).
    """
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {
        signum: signal.signal(signum, on_signal)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    children: dict[str, subprocess.Popen[bytes]] = {}
    status = 0
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command)
        while not received:
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                name = ended[0]
                others = [CHILD_LABELS.get(n, n) for n in children if n != name]
                print(
                    f"tribune: the {CHILD_LABELS.get(name, name)} "
                    f"{_ended(children[name].returncode)}; stopping the {' and '.join(others)}",
                    file=sys.stderr,
                    flush=True,
                )
                status = 1
                break
            time.sleep(0.25)
    finally:
        _stop(children, grace)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _ended(code: int) -> str:
    """Describe how a child ended: "exited with code 1", "was killed by SIGKILL"."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _stop(children: dict[str, subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM every live child, wait up to `grace` seconds, then SIGKILL what is left."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + grace
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(
                f"tribune: the {CHILD_LABELS.get(name, name)} did not stop within "
                f"{grace:.0f} s; killing it",
                file=sys.stderr,
                flush=True,
            )
            child.kill()
            child.wait()


def run(argv: Sequence[str]) -> int:
    """The embedded default: prepare, then web and worker as two children until Ctrl-C."""
    # Preparing runs in a child too, so this process never holds Django in memory.
    code = subprocess.call([*_me(), "prepare"])
    if code != 0:
        return code
    print(f"tribune: serving on http://{_bind()}/ (Ctrl-C to stop)", flush=True)
    status = supervise({"web": [*_me(), "web", *argv], "worker": [*_me(), "worker"]})
    print("tribune: stopped", flush=True)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    try:
        if command == "run":
            return run(args[1:])
        if command == "web":
            web(args[1:])
            return 0
        if command == "worker":
            return worker(args[1:])
        if command == "prepare":
            return prepare(args[1:])
        if command == "--version":
            from tribune import __version__

            print(f"tribune {__version__}")
            return 0
        from django.core.management import execute_from_command_line

        if command in {"help", "--help", "-h"} and len(args) <= 1:
            print(__doc__)
        _settings_module()
        execute_from_command_line(["tribune", *args])
        return 0
    except SettingsError as exc:
        print(f"tribune: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
