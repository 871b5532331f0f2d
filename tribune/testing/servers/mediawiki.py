"""A real MediaWiki (Debian's package, 1.39) for the wiki connector's tests.

`start_wiki(name)` installs a fresh wiki on SQLite in a new temporary folder
with `maintenance/install.php`, gives its administrator a bot password
(`maintenance/createBotPassword.php`), and serves /usr/share/mediawiki with
`php -S` on a free port. One wiki per pytest-xdist worker: `name` comes from
the worker id.

Choices made for tests, and why:
- Each wiki's LocalSettings.php stays in its own folder. MediaWiki reads the
  `MW_CONFIG_FILE` environment variable (includes/BootstrapHelperFunctions.php),
  so the server and the maintenance scripts are pointed at it that way: nothing
  is written to /etc/mediawiki or /var/lib/mediawiki, and two wikis never share
  a configuration.
- No ImageMagick, no uploads, no e-mail: Debian's package does not need them
  and the tests do not use them.
- The bot password has every grant a publishing account needs, but not
  "editprotected": the page PROTECTED_PAGE, protected for administrators, then
  refuses the bot's edits like a real wiki refuses a protected page.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

DOCUMENT_ROOT = Path("/usr/share/mediawiki")
ADMIN = "Admin"
BOT = "tribune"
GRANTS = "basic,highvolume,editpage,createeditmovepage,delete"
PROTECTED_PAGE = "Protected page"
# A registered reader, who comments on talk pages in the tests.
READER = "Visitor"
START_TIMEOUT_S = 15.0

TEST_SETTINGS = """
# Tribune's tests: a throwaway wiki, nothing outside {data}.
$wgUseImageMagick = false;
$wgEnableUploads = false;
$wgEnableEmail = false;
$wgUploadDirectory = "{data}/images";
$wgCacheDirectory = "{data}/cache";
$wgShowExceptionDetails = true;
"""


@dataclass(frozen=True)
class Wiki:
    """A running test wiki: where it answers and the bot password the tests log in with."""

    site_url: str
    api_url: str
    bot_name: str
    bot_password: str = field(repr=False)
    admin_password: str = field(repr=False)
    protected_page: str = PROTECTED_PAGE


@dataclass
class WikiServer:
    wiki: Wiki
    process: subprocess.Popen
    data_dir: Path
    log_file: Path
    settings: Path

    def edit_as(self, user: str, title: str, text: str) -> None:
        """Save `title` as `user` (`~~~~` becomes the user's signature, as in the browser)."""
        _php(
            self.settings,
            "maintenance/edit.php",
            f"--user={user}",
            "--summary=test",
            title,
            stdin=text,
        )

    def stop(self) -> None:
        """Kill php -S and any workers it forked (its process group); drop the wiki's folder."""
        _stop_process(self.process)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def missing_reason() -> str | None:
    """Why a MediaWiki cannot run here (None when it can)."""
    if not (DOCUMENT_ROOT / "maintenance" / "install.php").exists():
        return "MediaWiki is not installed (run .ci/servers/mediawiki.sh as root)"
    if not shutil.which("php"):
        return "php is not installed (run .ci/servers/mediawiki.sh as root)"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    for module in ("pdo_sqlite", "intl", "mbstring", "xml"):
        if module not in modules.split():
            return f"PHP's {module} module is missing (run .ci/servers/mediawiki.sh as root)"
    return None


def start_wiki(name: str) -> WikiServer:
    """Install and start a fresh wiki for `name` (letters, digits).

    Raises RuntimeError with the installer's output or the server's log when it fails.
    """
    data_dir = Path(tempfile.mkdtemp(prefix=f"tribune-mediawiki-{name}-"))
    try:
        return _start(data_dir)
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise


def _start(data_dir: Path) -> WikiServer:
    for folder in ("conf", "db", "images", "cache"):
        (data_dir / folder).mkdir()
    port = _free_port()
    site_url = f"http://127.0.0.1:{port}"
    settings = data_dir / "conf" / "LocalSettings.php"
    admin_password = secrets.token_urlsafe(18)
    bot_password = secrets.token_hex(16)  # bot passwords have at least 32 characters
    # install.php wants an empty configuration folder and refuses MW_CONFIG_FILE's file.
    _php(
        None,
        "maintenance/install.php",
        "--dbtype=sqlite",
        f"--dbpath={data_dir / 'db'}",
        "--dbname=tribune_wiki",
        f"--confpath={settings.parent}",
        f"--server={site_url}",
        "--scriptpath=",
        "--lang=en",
        f"--pass={admin_password}",
        "Tribune test wiki",
        ADMIN,
        hide=(admin_password,),
    )
    with settings.open("a", encoding="utf-8") as file:
        file.write(TEST_SETTINGS.format(data=data_dir))
    _php(
        settings,
        "maintenance/createBotPassword.php",
        f"--appid={BOT}",
        f"--grants={GRANTS}",
        ADMIN,
        bot_password,
        hide=(bot_password,),
    )
    _php(
        settings,
        "maintenance/edit.php",
        f"--user={ADMIN}",
        "--summary=for the tests",
        PROTECTED_PAGE,
        stdin="Only administrators may edit this page.",
    )
    _php(
        settings,
        "maintenance/protect.php",
        f"--user={ADMIN}",
        "--reason=for the tests",
        PROTECTED_PAGE,
    )

    log_file = data_dir / "php-server.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            # OPcache keeps MediaWiki's compiled PHP between requests (off by default in the CLI).
            ["php", "-d", "opcache.enable_cli=1", "-S", f"127.0.0.1:{port}", "-t", DOCUMENT_ROOT],
            cwd=DOCUMENT_ROOT,
            env={**os.environ, "MW_CONFIG_FILE": str(settings)},
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group (setsid), so stopping it also stops any forked worker.
            start_new_session=True,
        )
    wiki = Wiki(site_url, f"{site_url}/api.php", f"{ADMIN}@{BOT}", bot_password, admin_password)
    server = WikiServer(wiki, process, data_dir, log_file, settings)
    try:
        _wait_until_up(server)
    except BaseException:
        _stop_process(process)
        raise
    return server


def _php(
    settings: Path | None,
    script: str,
    *args: str,
    stdin: str | None = None,
    hide: tuple[str, ...] = (),
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "MW_CONFIG_FILE"}
    if settings:
        env["MW_CONFIG_FILE"] = str(settings)
    done = subprocess.run(
        ["php", script, *args],
        cwd=DOCUMENT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        for secret in hide:
            output = output.replace(secret, "***")
        raise RuntimeError(f"{script} failed ({done.returncode}):\n{output[-4000:]}")


def _wait_until_up(server: WikiServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    url = f"{server.wiki.api_url}?action=query&meta=siteinfo&format=json"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if "query" in httpx.get(url, timeout=2).json():
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.1)
    log = server.log_file.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"MediaWiki did not answer at {server.wiki.api_url}; its log:\n{log}")


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
