"""Encryption at rest for account credentials (passwords, tokens).

Fernet (AES-128-CBC with HMAC-SHA256) through MultiFernet: the first key of
settings.CREDENTIALS_KEYS encrypts, every key decrypts, so a new key can be put
first while credentials stored under the old ones stay readable until
`rotate()` re-encrypts them. The keys come from TRIBUNE_CREDENTIALS_KEYS, or
are derived from the secret key (tribune.core.config.credentials_keys).

Nothing here ever puts a token or a plaintext in an exception message, a log
line or a repr.

`EncryptedTextField` stores ciphertext and gives plaintext back on read. It is
meant for write-only forms: it is not editable by default, so a ModelForm or
the admin leaves it out; a form that sets a credential declares its own field
(`forms.CharField(widget=forms.PasswordInput)`, which never renders a value),
and the action writes the attribute only when something was typed, so an empty
submission keeps the stored secret. Never list the field in the admin's
`readonly_fields` or in an API schema: both would show the plaintext.

A `tribune rotate_credentials` command (re-encrypt every stored value under
the newest key) is not written yet: no model uses the field so far.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


class CredentialsUnreadable(Exception):
    """A stored credential cannot be decrypted with the configured keys."""

    def __init__(self) -> None:
        super().__init__(
            "stored credentials cannot be decrypted with the configured keys "
            "(TRIBUNE_CREDENTIALS_KEYS, or the key derived from TRIBUNE_SECRET_KEY); "
            "the account must be reconnected"
        )


@functools.cache
def _multifernet() -> MultiFernet:
    # Built once per process: settings are fixed after start-up (tests reset it below).
    return MultiFernet([Fernet(key) for key in settings.CREDENTIALS_KEYS])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CREDENTIALS_KEYS", "SECRET_KEY"}:
        _multifernet.cache_clear()


def encrypt(plaintext: str) -> str:
    """Return `plaintext` encrypted under the newest key, as ASCII text."""
    return _multifernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Return the plaintext of `token`; raises CredentialsUnreadable if no key opens it."""
    try:
        return _multifernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, AttributeError, TypeError):
        # `from None`: a chained UnicodeError would quote the bytes it choked on.
        raise CredentialsUnreadable() from None


def rotate(token: str) -> str:
    """Return `token` re-encrypted under the newest key; raises CredentialsUnreadable."""
    try:
        return _multifernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, AttributeError, TypeError):
        raise CredentialsUnreadable() from None


class EncryptedTextField(models.TextField):
    """A text column holding Fernet ciphertext; the model attribute holds plaintext.

    Not editable by default (see the module docstring: write-only forms). Only
    `isnull` can be looked up: the same plaintext encrypts differently each time.
    Reading a row whose value no key opens raises CredentialsUnreadable; list
    pages that do not need the secret should `.defer()` the field.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A default would be written in clear into the migration files.
        if kwargs.get("default", "") not in {"", None}:
            raise ValueError("EncryptedTextField takes no default other than '' or None")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        # editable=False is this field's own default, not worth repeating in migrations.
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        elif self.editable:
            kwargs["editable"] = True
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def value_to_string(self, obj: models.Model) -> str:
        # dumpdata must not write the secret in clear; restore credentials from a
        # database backup (with its keys), or reconnect the account.
        return ""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        # Only reached when a model opts in with editable=True: even then the
        # page never shows the stored value.
        kwargs.setdefault("widget", forms.PasswordInput(render_value=False))
        return super().formfield(**kwargs)
