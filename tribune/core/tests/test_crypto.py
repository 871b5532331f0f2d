"""Encryption at rest of credentials: keys from the settings, rotation, no leaks."""

import base64
import hashlib
import hmac
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.db import connection, models
from django.test.utils import isolate_apps

from tribune.core import config, crypto
from tribune.core.crypto import CredentialsUnreadable, EncryptedTextField
from tribune.core.env import SettingsError

SECRET = "app-password-XYZ-éè"
SECRET_KEY = "s" * 40


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def test_it_round_trips_text(settings):
    settings.CREDENTIALS_KEYS = [new_key()]
    token = crypto.encrypt(SECRET)
    assert SECRET not in token
    assert crypto.decrypt(token) == SECRET
    assert crypto.encrypt(SECRET) != token  # random IV: equal secrets do not look equal
    assert crypto.decrypt(crypto.encrypt("")) == ""
    assert crypto._multifernet() is crypto._multifernet()  # built once, not per call


def test_it_reads_old_tokens_after_a_new_key_is_put_first(settings):
    old, new = new_key(), new_key()
    settings.CREDENTIALS_KEYS = [old]
    token = crypto.encrypt(SECRET)
    settings.CREDENTIALS_KEYS = [new, old]
    assert crypto.decrypt(token) == SECRET
    assert Fernet(new).decrypt(crypto.encrypt(SECRET)).decode() == SECRET

    rotated = crypto.rotate(token)
    assert Fernet(new).decrypt(rotated).decode() == SECRET
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(rotated)

    settings.CREDENTIALS_KEYS = [new]  # the old key retired once everything is rotated
    assert crypto.decrypt(rotated) == SECRET
    with pytest.raises(CredentialsUnreadable):
        crypto.decrypt(token)


@pytest.mark.parametrize("operation", [crypto.decrypt, crypto.rotate])
def test_it_refuses_a_token_of_another_key_without_leaking(settings, operation):
    settings.CREDENTIALS_KEYS = [new_key()]
    token = crypto.encrypt(SECRET)
    settings.CREDENTIALS_KEYS = [new_key()]
    for bad in [token, "not a token", "tök€n-" + SECRET, token[:-4]]:
        with pytest.raises(CredentialsUnreadable) as caught:
            operation(bad)
        printed = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
        assert "TRIBUNE_CREDENTIALS_KEYS" in str(caught.value)
        assert bad not in printed
        assert SECRET not in printed
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_it_derives_a_stable_key_from_the_secret_key():
    derived = config.derived_credentials_key(SECRET_KEY)
    assert derived == config.derived_credentials_key(SECRET_KEY)
    assert derived != config.derived_credentials_key("t" * 40)
    assert config.credentials_keys({}, SECRET_KEY) == [derived]
    Fernet(derived)  # a usable key
    # HKDF-SHA256 (RFC 5869) recomputed by hand: no salt (32 zero bytes), the
    # documented label as `info`, 32 bytes out.
    prk = hmac.new(b"\0" * 32, SECRET_KEY.encode(), hashlib.sha256).digest()
    info = b"tribune credentials encryption key v1"
    okm = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
    assert derived == base64.urlsafe_b64encode(okm).decode()
    # Pinned: a change here would make every stored credential unreadable.
    assert derived == "F8aiBl_TFlUhq5m3Wd1bATVIXvH9sUkP5FqLYGzD5nI="


def test_it_reads_the_keys_newest_first(tmp_path: Path):
    first, second = new_key(), new_key()
    environ = {"TRIBUNE_CREDENTIALS_KEYS": f" {first} , {second} "}
    assert config.credentials_keys(environ, SECRET_KEY) == [first, second]
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"{second},{first}\n")
    environ = {"TRIBUNE_CREDENTIALS_KEYS_FILE": str(keys_file)}
    assert config.credentials_keys(environ, SECRET_KEY) == [second, first]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{good},not-a-key", "TRIBUNE_CREDENTIALS_KEYS: key 2 is not a Fernet key"),
        ("dG9vIHNob3J0", "TRIBUNE_CREDENTIALS_KEYS: key 1 is not a Fernet key"),
        ("{good},,{good}", "TRIBUNE_CREDENTIALS_KEYS has an empty entry"),
    ],
)
def test_it_refuses_a_malformed_key(value: str, message: str):
    environ = {"TRIBUNE_CREDENTIALS_KEYS": value.format(good=new_key())}
    with pytest.raises(SettingsError) as caught:
        config.credentials_keys(environ, SECRET_KEY)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert "not-a-key" not in str(caught.value) and "dG9v" not in str(caught.value)


def test_it_stops_start_up_on_a_malformed_key(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", "import tribune.settings"],
        env={"TRIBUNE_CREDENTIALS_KEYS": "nope", "TRIBUNE_VAR_DIR": str(tmp_path),
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SettingsError: TRIBUNE_CREDENTIALS_KEYS: key 1 is not a Fernet key" in result.stderr
    assert "nope" not in result.stderr


def test_it_stores_ciphertext_and_reads_plaintext(settings):
    settings.CREDENTIALS_KEYS = [new_key()]
    field = EncryptedTextField()
    stored = field.get_db_prep_save(SECRET, connection)  # what an INSERT/UPDATE writes
    assert SECRET not in stored
    assert crypto.decrypt(stored) == SECRET
    assert field.from_db_value(stored, None, connection) == SECRET
    assert field.get_db_prep_save(None, connection) is None
    assert field.from_db_value(None, None, connection) is None
    with pytest.raises(CredentialsUnreadable):
        field.from_db_value("garbage", None, connection)


def test_it_cannot_be_looked_up_except_for_null():
    field = EncryptedTextField()
    assert field.get_lookup("isnull") is not None
    assert field.get_lookup("exact") is None
    assert field.get_lookup("icontains") is None


def test_it_keeps_values_out_of_migrations_and_fixtures():
    with pytest.raises(ValueError, match="no default"):
        EncryptedTextField(default="hunter2")
    field = EncryptedTextField(blank=True)
    field.set_attributes_from_name("password")
    name, path, args, kwargs = field.deconstruct()
    assert (name, path, args, kwargs) == (
        "password",
        "tribune.core.crypto.EncryptedTextField",
        [],
        {"blank": True},
    )
    assert field.value_to_string(type("Obj", (), {"password": SECRET})()) == ""
    assert EncryptedTextField(editable=True).deconstruct()[3] == {"editable": True}


@isolate_apps("tribune.core")
def test_it_stays_out_of_model_forms(settings):
    settings.CREDENTIALS_KEYS = [new_key()]

    class Login(models.Model):
        name = models.CharField(max_length=20)
        password = EncryptedTextField()
        token = EncryptedTextField(editable=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.name

    instance = Login(name="blog", password=SECRET, token=SECRET)
    form = forms.modelform_factory(Login, fields="__all__")(instance=instance)
    assert "password" not in form.fields  # not editable: a ModelForm leaves it out
    assert "password" not in form.initial
    # A model that opts in still never renders the stored value into the page.
    assert isinstance(form.fields["token"].widget, forms.PasswordInput)
    assert SECRET not in form.as_p()
    assert SECRET not in repr(Login._meta.get_field("password"))
