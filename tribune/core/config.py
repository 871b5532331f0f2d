"""Turn environment variables into the structures Django wants.

Kept apart from settings.py so each parser can be unit-tested with a plain
dict as the environment.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .env import SettingsError, env_secret, env_str

SECRET_KEY_FILE = "secret_key"
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Longest wait, in seconds, between two looks of an idle worker thread at the SQLite
# queue. The SQLite queue cannot block until a task arrives (Redis can), and Huey's
# default lets an idle thread back off to 10 s: after a minute of quiet, a task
# ("publish now", a due post) waited up to 10 s, and the first seconds of
# bench/publishing.py's SQLite run went out 3 to 4 s late. An idle look is one
# indexed SELECT on a local file.
SQLITE_QUEUE_POLL_MAX_S = 0.5
# HKDF `info` label for the credentials key derived from the secret key. Never
# change it: every credential stored under the derived key would become unreadable.
CREDENTIALS_KEY_INFO = b"tribune credentials encryption key v1"


def var_dir(environ: dict[str, str] | None = None) -> Path:
    """Return the folder holding local state (SQLite file, queue, mail, key)."""
    default = Path(__file__).resolve().parents[2] / "var"
    return Path(env_str("TRIBUNE_VAR_DIR", str(default), environ)).resolve()


def database_config(environ: dict[str, str] | None, var: Path) -> dict:
    """Return Django's DATABASES['default'] from TRIBUNE_DATABASE_URL."""
    url = env_secret("TRIBUNE_DATABASE_URL", "", environ)
    if not url:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(var / "tribune.sqlite3")}
    else:
        scheme = urlsplit(url).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise SettingsError(
                f"TRIBUNE_DATABASE_URL must start with sqlite:// or postgresql:// (got {scheme}://)"
            )
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise SettingsError(f"TRIBUNE_DATABASE_URL is not a valid URL ({exc})") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Parameters sent apart from the statement, so psycopg prepares the statements a
        # connection repeats (the publishing engine's, every claim): PostgreSQL then skips
        # parsing and planning them, and the client skips quoting values into the SQL.
        config.setdefault("OPTIONS", {})["server_side_binding"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while the worker writes; the busy
        # timeout turns short lock waits into waits instead of errors.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Kept open between requests and tasks: opening one (the file, the pragmas,
        # Django's SQL functions) cost 1.7 ms of CPU, paid by every request and every
        # publish task. Idle connections hold no lock in WAL mode. A local file needs
        # no health check.
        config["CONN_MAX_AGE"] = 600
        config.pop("CONN_HEALTH_CHECKS", None)
    return config


def secret_key(environ: dict[str, str] | None, var: Path) -> str:
    """Return TRIBUNE_SECRET_KEY, or one generated once and kept in var/ (mode 600)."""
    key = env_secret("TRIBUNE_SECRET_KEY", "", environ)
    if key:
        if len(key) < 32:
            raise SettingsError("TRIBUNE_SECRET_KEY must be at least 32 characters long")
        return key
    path = var / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting together must not write two keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def derived_credentials_key(secret: str) -> str:
    """Return the Fernet key derived from `secret` (HKDF-SHA256, CREDENTIALS_KEY_INFO)."""
    # No salt: the key must come out the same after every restart, on every machine.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CREDENTIALS_KEY_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode("utf-8"))).decode("ascii")


def credentials_keys(environ: dict[str, str] | None, secret: str) -> list[str]:
    """Return the Fernet keys for stored credentials, newest (the one that encrypts) first.

    From TRIBUNE_CREDENTIALS_KEYS (comma-separated); unset, one key derived from
    the secret key. Raises SettingsError on a key Fernet cannot use; the message
    gives the key's position, never the key.
    """
    raw = env_secret("TRIBUNE_CREDENTIALS_KEYS", "", environ)
    if not raw:
        return [derived_credentials_key(secret)]
    keys = [item.strip() for item in raw.split(",")]
    if not all(keys):
        raise SettingsError(
            "TRIBUNE_CREDENTIALS_KEYS has an empty entry (keys are comma-separated)"
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                f"TRIBUNE_CREDENTIALS_KEYS: key {position} is not a Fernet key "
                "(32 bytes in url-safe base64, 44 characters)"
            ) from None
    return keys


def queue_config(environ: dict[str, str] | None, var: Path) -> dict:
    """Return djhuey's HUEY setting: Redis when TRIBUNE_REDIS_URL is set, else SQLite."""
    url = env_secret("TRIBUNE_REDIS_URL", "", environ)
    # Several installs (or test runs) can share one Redis: each uses its own name.
    name = env_str("TRIBUNE_QUEUE_NAME", "tribune", environ)
    if not QUEUE_NAME.fullmatch(name):
        raise SettingsError(
            f"TRIBUNE_QUEUE_NAME must be 1 to 64 letters, digits, '-' or '_' (got {name!r})"
        )
    common = {"name": name, "immediate": False, "results": False, "utc": True}
    if url:
        if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
            raise SettingsError("TRIBUNE_REDIS_URL must start with redis://, rediss:// or unix://")
        return {**common, "huey_class": "huey.RedisHuey", "url": url}
    return {
        **common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(var / "queue.sqlite3"),
        # The consumer's options (run_huey reads them; its command-line flags win).
        "consumer": {"max_delay": SQLITE_QUEUE_POLL_MAX_S},
    }


def email_config(environ: dict[str, str] | None, var: Path) -> dict[str, object]:
    """Return Django e-mail settings from TRIBUNE_EMAIL_URL.

    Forms: smtp://user:pass@host:587?tls=1, smtps://user:pass@host:465,
    file:///path, console://. Unset: mail is written under var/mail/.
    """
    url = env_secret("TRIBUNE_EMAIL_URL", "", environ)
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(var / "mail"),
        }
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path) or str(var / "mail"),
        }
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise SettingsError("TRIBUNE_EMAIL_URL needs a host, e.g. smtp://mail.example.org:587")
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise SettingsError("TRIBUNE_EMAIL_URL has an invalid port") from None
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true", "yes"},
            "EMAIL_TIMEOUT": 20,
        }
    raise SettingsError(
        f"TRIBUNE_EMAIL_URL must start with smtp://, smtps://, file:// or console:// "
        f"(got {parts.scheme}://)"
    )


def media_storage_config(environ: dict[str, str] | None, var: Path) -> dict:
    """Return Django's STORAGES['default'] (uploaded media) from TRIBUNE_MEDIA_STORAGE_URL.

    Unset: files under var/media. file:///path: files under that folder.
    s3://key:secret@bucket/prefix?endpoint=https://host&region=name&addressing=path:
    any S3-compatible store through django-storages (`pip install 'tribune[s3]'`);
    without key and secret, boto3 finds credentials its usual way.
    """
    url = env_secret("TRIBUNE_MEDIA_STORAGE_URL", "", environ)
    filesystem = "django.core.files.storage.FileSystemStorage"
    if not url:
        # No location: FileSystemStorage follows MEDIA_ROOT (var/media), as tests expect.
        return {"BACKEND": filesystem}
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise SettingsError(
                "TRIBUNE_MEDIA_STORAGE_URL file:// needs an absolute path, e.g. file:///srv/media"
            )
        return {"BACKEND": filesystem, "OPTIONS": {"location": unquote(parts.path)}}
    if parts.scheme != "s3":
        raise SettingsError(
            f"TRIBUNE_MEDIA_STORAGE_URL must start with file:// or s3:// (got {parts.scheme}://)"
        )
    if not parts.hostname:
        raise SettingsError("TRIBUNE_MEDIA_STORAGE_URL needs a bucket, e.g. s3://my-bucket/media")
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise SettingsError(
            "TRIBUNE_MEDIA_STORAGE_URL is s3:// but django-storages is not installed: "
            "pip install 'tribune[s3]'"
        )
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "addressing"}
    if unknown:
        raise SettingsError(
            f"TRIBUNE_MEDIA_STORAGE_URL has unknown options: {', '.join(sorted(unknown))} "
            "(known: endpoint, region, addressing)"
        )
    endpoint = query.get("endpoint", "")
    if endpoint and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise SettingsError("TRIBUNE_MEDIA_STORAGE_URL endpoint must be an http(s):// address")
    options: dict[str, object] = {
        # hostname is lower-cased by urlsplit; bucket names are lower-case anyway.
        "bucket_name": parts.hostname,
        "location": unquote(parts.path).strip("/"),
        # Media are served by Tribune to members only: never public, never overwritten.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if endpoint:
        options["endpoint_url"] = endpoint
    if "region" in query:
        options["region_name"] = query["region"]
    if "addressing" in query:
        if query["addressing"] not in {"path", "virtual", "auto"}:
            raise SettingsError("TRIBUNE_MEDIA_STORAGE_URL addressing must be path or virtual")
        options["addressing_style"] = query["addressing"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
