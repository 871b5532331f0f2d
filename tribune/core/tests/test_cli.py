"""The `tribune` command: configuration errors, the supervisor, and `tribune run` for real."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tribune import cli

from .processes import (
    alive,
    children_of,
    free_port,
    get_json,
    start,
    stop,
    stop_group,
    tribune,
    tribune_env,
    wait_for,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.mark.parametrize("command", ["check", "run", "web", "worker", "migrate"])
def test_it_reports_a_bad_setting_in_one_line_and_exits_2(tmp_path: Path, command: str):
    done = tribune(tribune_env(tmp_path, TRIBUNE_DEBUG="maybe"), command, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (
        "tribune: configuration error: TRIBUNE_DEBUG must be true or false (got 'maybe')\n"
    )


def test_it_says_in_one_line_when_the_database_is_unreachable(tmp_path: Path):
    env = tribune_env(tmp_path, TRIBUNE_DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing")
    done = tribune(env, "run", timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("tribune: cannot reach the database: ")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("variable", "url", "what"),
    [
        ("TRIBUNE_REDIS_URL", "redis://127.0.0.1:1/0", "queue"),
        ("TRIBUNE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing", "database"),
    ],
)
def test_it_stops_a_worker_at_once_when_it_cannot_reach_a_service(
    tmp_path: Path, variable: str, url: str, what: str
):
    done = tribune(tribune_env(tmp_path, **{variable: url}), "worker", timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"tribune: cannot reach the {what}: ")
    assert done.stderr.count("\n") == 1


def test_it_refuses_an_unknown_prepare_option(tmp_path: Path):
    done = tribune(tribune_env(tmp_path), "prepare", "--no-dmeo")
    assert (done.returncode, done.stderr) == (
        2,
        "tribune prepare: unknown argument --no-dmeo (only --no-demo)\n",
    )


def test_it_prints_its_version(tmp_path: Path):
    from tribune import __version__

    done = tribune(tribune_env(tmp_path), "--version")
    assert (done.returncode, done.stdout) == (0, f"tribune {__version__}\n")


def test_it_lists_its_own_commands_in_help(tmp_path: Path):
    done = tribune(tribune_env(tmp_path), "help")
    assert done.returncode == 0
    for word in ("tribune run", "tribune web", "tribune worker", "migrate"):
        assert word in done.stdout


def test_it_stops_the_others_when_a_child_fails(capsys):
    started = time.monotonic()
    status = cli.supervise(
        {"web": SLEEPER, "worker": [sys.executable, "-c", "import sys; sys.exit(3)"]}
    )
    assert status == 1
    assert time.monotonic() - started < 10  # the sleeper was stopped, not waited for
    assert capsys.readouterr().err == (
        "tribune: the worker exited with code 3; stopping the web server\n"
    )


def test_it_says_which_signal_killed_a_child(capsys):
    killed = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]
    assert cli.supervise({"web": killed, "worker": SLEEPER}) == 1
    assert capsys.readouterr().err == (
        "tribune: the web server was killed by SIGKILL; stopping the worker\n"
    )


def test_it_stops_every_child_on_sigterm_and_exits_0():
    # Should supervise return early, a late SIGTERM must not kill the test run.
    late: list[int] = []

    def recorder(signum: int, _frame: object) -> None:
        late.append(signum)

    outer = signal.signal(signal.SIGTERM, recorder)
    timer = threading.Timer(1.0, lambda: signal.raise_signal(signal.SIGTERM))
    try:
        timer.start()
        started = time.monotonic()
        status = cli.supervise({"web": SLEEPER, "worker": SLEEPER})
        timer.join()
        restored = signal.getsignal(signal.SIGTERM)
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, outer)
    assert status == 0
    assert time.monotonic() - started < 10
    assert late == []  # supervise received it
    assert restored is recorder  # supervise put the previous handler back


def test_it_kills_a_child_that_ignores_sigterm(capsys):
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert stubborn.stdout.readline() == "ready\n"
    cli._stop({"worker": stubborn}, grace=1)
    assert stubborn.returncode == -signal.SIGKILL
    assert "the worker did not stop within 1 s; killing it" in capsys.readouterr().err


def test_it_collects_static_files_only_when_they_changed(settings, tmp_path: Path):
    settings.STATIC_ROOT = tmp_path / "static"
    assert cli.collect_static() is True
    assert (tmp_path / "static" / cli.STATIC_MARK).exists()
    assert cli.collect_static() is False
    (tmp_path / "static" / cli.STATIC_MARK).write_text("an older set of files")
    assert cli.collect_static() is True


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One var folder shared by the `tribune run` tests: the first start prepares it."""
    yield tmp_path_factory.mktemp("run")


def serve(var: Path, log: str) -> tuple[subprocess.Popen, str, float]:
    """Start `tribune run`; return it, its /health/ URL, and the seconds until it served."""
    port = free_port()
    started = time.monotonic()
    run = start(tribune_env(var, TRIBUNE_BIND=f"127.0.0.1:{port}"), var / log, "run")
    url = f"http://127.0.0.1:{port}/health/"
    wait_for(lambda: get_json(url), 180, f"tribune run to serve (see {var / log})")
    return run, url, time.monotonic() - started


@pytest.mark.slow
def test_it_runs_web_and_worker_until_ctrl_c_then_restarts_quickly(prepared: Path):
    run, url, _ = serve(prepared, "first.log")
    children: list[int] = []
    try:
        wait_for(lambda: get_json(url)[1]["worker"] == "ok", 60, "the worker's heartbeat")
        children = children_of(run.pid)
        assert len(children) >= 3  # web master, one web worker, the queue worker
    finally:
        code = stop_group(run, signal.SIGINT)  # Ctrl-C signals the whole foreground group
    log = (prepared / "first.log").read_text()
    assert code == 0, log
    assert not [pid for pid in children if alive(pid)], log
    assert "tribune: stopped" in log

    # The second start finds everything migrated and collected.
    run, url, seconds = serve(prepared, "second.log")
    children = children_of(run.pid)
    code = stop(run, signal.SIGTERM)  # a service manager signals the main process only
    log = (prepared / "second.log").read_text()
    assert code == 0, log
    assert "static files collected" not in log
    assert seconds < 15, f"second start took {seconds:.1f} s"
    assert not [pid for pid in children if alive(pid)], log


@pytest.mark.slow
def test_it_stops_the_worker_when_the_web_server_cannot_start(prepared: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = tribune_env(prepared, TRIBUNE_BIND=f"127.0.0.1:{port}")
        done = tribune(env, "run", timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "tribune: the web server exited with code 1; stopping the worker" in done.stderr
