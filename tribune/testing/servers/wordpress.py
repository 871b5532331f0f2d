"""A real WordPress (Debian's package) for the WordPress connector's tests.

`start_wordpress(name)` creates a fresh MariaDB database `tribune_wp_<name>`,
writes `/etc/wordpress/config-tribune-test-<name>.php` (Debian's WordPress
only reads configuration from /etc/wordpress), serves /usr/share/wordpress
with `php -S` on a free port through a router script, installs the site by
posting to `wp-admin/install.php?step=2`, and creates application passwords
from PHP. One site per pytest-xdist worker: `name` comes from the worker id.

Choices made for tests, and why:
- `WP_ENVIRONMENT_TYPE` is `local`: WordPress only accepts application
  passwords over plain HTTP on a local site.
- wp-content is a fresh folder per session under /tmp, not Debian's
  /var/lib/wordpress/wp-content: uploads do not pile up across runs, and the
  tests need no write access to a system folder.
- A must-use plugin refuses every outgoing HTTP request: nothing reaches the
  internet at test time, and WordPress's installer does not wait on a request
  to itself (`php -S` answers one at a time) before settling on plain
  permalinks, so the REST API is reached through `?rest_route=`.
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

DOCUMENT_ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
MARIADB = ("127.0.0.1", 3306)
ADMIN = "tribune"
AUTHOR = "chroniqueur"
START_TIMEOUT_S = 15.0

ROUTER = """<?php
// php -S router: Debian's wp-config.php picks its configuration from this name.
$_SERVER['WORDPRESS_CONFIG'] = '{config}';
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
if (str_starts_with($path, '/wp-content/')) {{
    // Uploads live outside the document root.
    $file = realpath('{content}' . substr($path, strlen('/wp-content')));
    if ($file === false || !str_starts_with($file, '{content}/') || !is_file($file)) {{
        http_response_code(404);
        return true;
    }}
    header('Content-Type: ' . (mime_content_type($file) ?: 'application/octet-stream'));
    readfile($file);
    return true;
}}
$target = '{root}' . $path;
if (is_dir($target)) {{
    $target = rtrim($target, '/') . '/index.php';
    $path = rtrim($path, '/') . '/index.php';
}}
if (!is_file($target)) {{
    $target = '{root}/index.php';
    $path = '/index.php';
}}
if (!str_ends_with($target, '.php')) {{
    return false;  // css, js, images: php -S serves them from the document root
}}
// WordPress reads these to know which screen it is on.
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = $path;
$_SERVER['SCRIPT_FILENAME'] = $target;
chdir(dirname($target));
require $target;
"""

CONFIG = """<?php
define('DB_NAME', '{database}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '{db_host}');
define('WP_HOME', '{base_url}');
define('WP_SITEURL', '{base_url}');
define('WP_CONTENT_DIR', '{content}');
define('WP_CONTENT_URL', '{base_url}/wp-content');
// Application passwords over plain HTTP need a local environment.
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', '{debug_log}');
{salts}
"""

NO_HTTP_PLUGIN = """<?php
// Tribune's test site never makes HTTP requests: no internet at test time,
// and no request to itself that a one-request-at-a-time php -S would stall on.
add_filter('pre_http_request', function () {
    return new WP_Error('http_request_blocked', 'HTTP is off on this test site.');
}, 10, 0);
"""

APP_PASSWORDS = """<?php
$_SERVER['WORDPRESS_CONFIG'] = '{config}';
$_SERVER['HTTP_HOST'] = '{host}';
require '{root}/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
$author = wp_insert_user([
    'user_login' => '{author}', 'user_pass' => wp_generate_password(24),
    'user_email' => '{author}@example.org', 'display_name' => 'Chroniqueur', 'role' => 'author',
]);
if (is_wp_error($author)) {{ fwrite(STDERR, $author->get_error_message()); exit(1); }}
foreach (['{admin}', '{author}'] as $login) {{
    $user = get_user_by('login', $login);
    $made = WP_Application_Passwords::create_new_application_password(
        $user->ID, ['name' => 'Tribune tests']
    );
    if (is_wp_error($made)) {{ fwrite(STDERR, $made->get_error_message()); exit(1); }}
    echo "password:", $made[0], "\\n";
}}
"""


@dataclass(frozen=True)
class WordPressSite:
    """A running test site: its root URL and the accounts the tests act as."""

    base_url: str
    username: str
    app_password: str = field(repr=False)
    admin_password: str = field(repr=False)
    # An "author" (may publish, may not moderate comments): for refusals.
    author_username: str = AUTHOR
    author_app_password: str = field(default="", repr=False)


@dataclass
class WordPressServer:
    site: WordPressSite
    process: subprocess.Popen
    config_file: Path
    database: str
    data_dir: Path
    log_file: Path

    def stop(self) -> None:
        """Kill php -S and its workers (its whole process group); drop config, database, data."""
        _stop_process(self.process)
        self.config_file.unlink(missing_ok=True)
        _drop_database(self.database)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def missing_reason() -> str | None:
    """Why a WordPress cannot run here (None when it can)."""
    if not (DOCUMENT_ROOT / "wp-settings.php").exists():
        return "WordPress is not installed (run .ci/servers/wordpress.sh as root)"
    if not shutil.which("php"):
        return "php is not installed (run .ci/servers/wordpress.sh as root)"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    if "mysqli" not in modules.split():
        return "PHP's mysqli module is missing (run .ci/servers/wordpress.sh as root)"
    if not os.access(CONFIG_DIR, os.W_OK):
        return f"{CONFIG_DIR} is not writable: Debian's WordPress reads its configuration there"
    try:
        with socket.create_connection(MARIADB, timeout=1):
            pass
    except OSError:
        return "MariaDB is not reachable at {}:{}".format(*MARIADB)
    return None


def start_wordpress(worker: str) -> WordPressServer:
    """Start a fresh site for a pytest-xdist worker ("gw0"; "main" without xdist).

    Names carry the worker and this process's id, so two test runs at once on
    one machine never share a database. Raises RuntimeError holding the
    server's log when the site does not come up.
    """
    _forget_dead_runs()
    name = f"{worker}-{os.getpid()}"
    config = f"tribune-test-{name}"
    database = f"tribune_wp_{name.replace('-', '_')}"
    data_dir = Path(tempfile.gettempdir()) / f"tribune-wordpress-{name}"
    shutil.rmtree(data_dir, ignore_errors=True)
    (data_dir / "wp-content" / "mu-plugins").mkdir(parents=True)
    content = (data_dir / "wp-content").resolve()  # the router compares real paths
    (content / "mu-plugins" / "tribune-no-http.php").write_text(NO_HTTP_PLUGIN)
    log_file = data_dir / "php-server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"

    _drop_database(database)
    _run_php(f"{_CONNECT} $db->query('CREATE DATABASE `{database}` CHARACTER SET utf8mb4');")
    salts = "\n".join(
        f"define('{key}', '{secrets.token_hex(32)}');"
        for key in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                    "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
    )  # fmt: skip
    config_file = CONFIG_DIR / f"config-{config}.php"
    config_file.write_text(CONFIG.format(
        database=database, db_host="{}:{}".format(*MARIADB), base_url=base_url,
        content=content, debug_log=data_dir / "debug.log", salts=salts,
    ))  # fmt: skip
    router = data_dir / "router.php"
    router.write_text(ROUTER.format(config=config, content=content, root=DOCUMENT_ROOT))

    with log_file.open("wb") as out:
        process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(DOCUMENT_ROOT), str(router)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as one at the end
        )
    try:
        _wait_listening(port, process)
        admin_password = secrets.token_urlsafe(18)
        _install(base_url, admin_password)
        admin_app, author_app = _application_passwords(config, port)
    except Exception as exc:
        _stop_process(process)
        config_file.unlink(missing_ok=True)
        _drop_database(database)
        logs = "".join(
            f"\n--- {path} ---\n{path.read_text(errors='replace')[-4000:]}"
            for path in (log_file, data_dir / "debug.log")
            if path.exists()
        )
        raise RuntimeError(f"WordPress did not start: {exc}{logs}") from exc
    site = WordPressSite(
        base_url=base_url,
        username=ADMIN,
        app_password=admin_app,
        admin_password=admin_password,
        author_app_password=author_app,
    )
    return WordPressServer(site, process, config_file, database, data_dir, log_file)


def _install(base_url: str, admin_password: str) -> None:
    form = {
        "weblog_title": "Brûlerie du Canal",
        "user_name": ADMIN,
        "admin_password": admin_password,
        "admin_password2": admin_password,
        "pw_weak": "1",
        "admin_email": f"{ADMIN}@example.org",
        "blog_public": "0",
        "language": "",
    }
    response = httpx.post(f"{base_url}/wp-admin/install.php?step=2", data=form, timeout=60)
    if response.status_code != 200 or "wp-login.php" not in response.text:
        raise RuntimeError(f"install.php answered {response.status_code}: {response.text[:500]}")


def _application_passwords(config: str, port: int) -> tuple[str, str]:
    output = _run_php(APP_PASSWORDS.format(
        config=config, host=f"127.0.0.1:{port}", root=DOCUMENT_ROOT, admin=ADMIN, author=AUTHOR
    ))  # fmt: skip
    passwords = [line.split(":", 1)[1] for line in output.splitlines()
                 if line.startswith("password:")]  # fmt: skip
    if len(passwords) != 2:
        raise RuntimeError("no application passwords were made")
    return passwords[0], passwords[1]


def _run_php(code: str) -> str:
    script = code if code.startswith("<?php") else f"<?php {code}"
    done = subprocess.run(["php"], input=script, capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"php failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


_CONNECT = "$db = new mysqli('{}', 'root', '', '', {});".format(*MARIADB)


def _forget_dead_runs() -> None:
    """Drop what earlier runs left (killed before teardown, or kept for a failure's logs)."""
    listed = _run_php(
        f"{_CONNECT} foreach ($db->query('SHOW DATABASES') as $row) echo current($row), ' ';"
    )
    for database in listed.split():
        if not database.startswith("tribune_wp_"):
            continue
        pid = database.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _drop_database(database)
    for config in CONFIG_DIR.glob("config-tribune-test-*.php"):
        pid = config.stem.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            config.unlink(missing_ok=True)
    for data_dir in Path(tempfile.gettempdir()).glob("tribune-wordpress-*"):
        pid = data_dir.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(data_dir, ignore_errors=True)


def _drop_database(database: str) -> None:
    _run_php(f"{_CONNECT} $db->query('DROP DATABASE IF EXISTS `{database}`');")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"php -S exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} after {START_TIMEOUT_S:.0f} s")


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
