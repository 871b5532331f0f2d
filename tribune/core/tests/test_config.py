"""The settings parser: every variable, its default, and a clear error on a bad value."""

from pathlib import Path

import pytest

from tribune.core import config
from tribune.core.env import SettingsError, env_bool, env_int, env_list, env_secret


def test_it_reads_booleans():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "off"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(SettingsError, match="X must be true or false"):
        env_bool("X", False, {"X": "maybe"})


def test_it_reads_bounded_integers():
    assert env_int("N", 3, environ={"N": " 7 "}) == 7
    with pytest.raises(SettingsError, match="N must be a whole number"):
        env_int("N", 3, environ={"N": "seven"})
    with pytest.raises(SettingsError, match="at least 1"):
        env_int("N", 3, minimum=1, environ={"N": "0"})


def test_it_reads_lists():
    assert env_list("H", ["a"], {"H": "x.org, y.org,,"}) == ["x.org", "y.org"]
    assert env_list("H", ["a"], {}) == ["a"]


def test_it_reads_a_secret_from_a_file(tmp_path: Path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    assert env_secret("K", "", {"K_FILE": str(secret)}) == "s3cret"
    with pytest.raises(SettingsError, match="not both"):
        env_secret("K", "", {"K": "a", "K_FILE": str(secret)})
    with pytest.raises(SettingsError, match="cannot read"):
        env_secret("K", "", {"K_FILE": str(tmp_path / "missing")})


def test_it_defaults_to_sqlite_under_var(tmp_path: Path):
    db = config.database_config({}, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "tribune.sqlite3")


def test_it_parses_a_postgres_url(tmp_path: Path):
    db = config.database_config(
        {"TRIBUNE_DATABASE_URL": "postgresql://u:p@db:5433/tribune"}, tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db", 5433, "tribune", "u")


def test_it_refuses_an_unknown_database(tmp_path: Path):
    with pytest.raises(SettingsError, match="TRIBUNE_DATABASE_URL must start with"):
        config.database_config({"TRIBUNE_DATABASE_URL": "mysql://x/y"}, tmp_path)


def test_it_generates_and_keeps_the_secret_key(tmp_path: Path):
    first = config.secret_key({}, tmp_path)
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config.secret_key({}, tmp_path) == first
    with pytest.raises(SettingsError, match="at least 32"):
        config.secret_key({"TRIBUNE_SECRET_KEY": "short"}, tmp_path)


def test_it_picks_the_queue_storage(tmp_path: Path):
    assert config.queue_config({}, tmp_path)["huey_class"] == "huey.SqliteHuey"
    redis = config.queue_config({"TRIBUNE_REDIS_URL": "redis://127.0.0.1:6379/2"}, tmp_path)
    assert (redis["huey_class"], redis["url"]) == ("huey.RedisHuey", "redis://127.0.0.1:6379/2")
    with pytest.raises(SettingsError, match="TRIBUNE_REDIS_URL"):
        config.queue_config({"TRIBUNE_REDIS_URL": "http://x"}, tmp_path)


def test_it_parses_email_urls(tmp_path: Path):
    assert config.email_config({}, tmp_path)["EMAIL_FILE_PATH"] == str(tmp_path / "mail")
    smtp = config.email_config(
        {"TRIBUNE_EMAIL_URL": "smtp://me:p%40ss@mail.example.org:587?tls=1"}, tmp_path
    )
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert (smtp["EMAIL_PORT"], smtp["EMAIL_HOST_PASSWORD"], smtp["EMAIL_USE_TLS"]) == (
        587,
        "p@ss",
        True,
    )
    with pytest.raises(SettingsError, match="TRIBUNE_EMAIL_URL must start with"):
        config.email_config({"TRIBUNE_EMAIL_URL": "pigeon://x"}, tmp_path)


def test_it_refuses_an_unknown_log_level():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import tribune.settings"],
        env={"TRIBUNE_LOG_LEVEL": "loud", "TRIBUNE_VAR_DIR": "/tmp/tribune-test-loglevel",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRIBUNE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL" in result.stderr
