"""Typed readers for environment variables.

Settings come only from the environment. Each reader raises `SettingsError`
with a one-line message naming the variable, so start-up stops on a bad value
instead of running with a surprising default.
"""

from __future__ import annotations

import os
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SettingsError(Exception):
    """A variable holds a value Tribune cannot use."""


def _raw(name: str, environ: dict[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get(name)


def env_str(name: str, default: str = "", environ: dict[str, str] | None = None) -> str:
    """Return the variable's text, or `default` when it is unset."""
    value = _raw(name, environ)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False, environ: dict[str, str] | None = None) -> bool:
    """Return a boolean; raises SettingsError on anything but yes/no words."""
    value = _raw(name, environ)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false (got {value!r})")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: dict[str, str] | None = None,
) -> int:
    """Return an integer within bounds; raises SettingsError otherwise."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {value!r})") from None
    if minimum is not None and number < minimum:
        raise SettingsError(f"{name} must be at least {minimum} (got {number})")
    if maximum is not None and number > maximum:
        raise SettingsError(f"{name} must be at most {maximum} (got {number})")
    return number


def env_list(name: str, default: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """Return a comma-separated list with blanks dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "", environ: dict[str, str] | None = None) -> str:
    """Return a secret from `NAME`, or from the file named by `NAME_FILE`.

    Setting both is refused: one of them would be silently ignored.
    """
    direct = _raw(name, environ)
    file_name = _raw(f"{name}_FILE", environ)
    if direct is not None and file_name is not None:
        raise SettingsError(f"set {name} or {name}_FILE, not both")
    if file_name is not None:
        path = Path(file_name)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE: cannot read {path} ({exc.strerror})") from None
    return default if direct is None else direct.strip()
