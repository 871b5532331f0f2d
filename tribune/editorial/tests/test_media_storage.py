"""TRIBUNE_MEDIA_STORAGE_URL: where uploaded media are kept."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tribune.core.config import media_storage_config
from tribune.core.env import SettingsError

VAR = Path("/srv/tribune/var")


def config(url: str | None) -> dict:
    return media_storage_config({} if url is None else {"TRIBUNE_MEDIA_STORAGE_URL": url}, VAR)


@pytest.fixture
def storages_installed(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: object() if name in {"storages", "boto3"} else real(name, *a),
    )


def test_it_keeps_media_on_the_file_system_by_default():
    # No location: the storage follows MEDIA_ROOT (var/media).
    assert config(None) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_it_takes_another_folder():
    found = config("file:///srv/media%20files")
    assert found["OPTIONS"] == {"location": "/srv/media files"}


def test_it_configures_an_s3_compatible_store(storages_installed):
    found = config(
        "s3://AKID:se%2Fcret@media-bucket/tribune/media"
        "?endpoint=https://s3.example.org&region=eu-west-1&addressing=path"
    )
    assert found["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["OPTIONS"] == {
        "bucket_name": "media-bucket",
        "location": "tribune/media",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "access_key": "AKID",
        "secret_key": "se/cret",
        "endpoint_url": "https://s3.example.org",
        "region_name": "eu-west-1",
        "addressing_style": "path",
    }


def test_it_lets_boto3_find_credentials_when_the_url_has_none(storages_installed):
    options = config("s3://media-bucket")["OPTIONS"]
    assert "access_key" not in options
    assert options["location"] == ""


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://host/media", "must start with file:// or s3://"),
        ("file://relative/path", "absolute path"),
        ("s3:///prefix", "needs a bucket"),
        ("s3://bucket?colour=blue", "unknown options: colour"),
        ("s3://bucket?endpoint=s3.example.org", "http(s)://"),
        ("s3://bucket?addressing=sideways", "path or virtual"),
    ],
)
def test_it_stops_start_up_on_a_bad_url(storages_installed, url, says):
    with pytest.raises(SettingsError) as caught:
        config(url)
    assert says in str(caught.value)
    assert "TRIBUNE_MEDIA_STORAGE_URL" in str(caught.value)


def test_it_says_which_extra_to_install_for_s3(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(SettingsError) as caught:
        config("s3://bucket")
    assert "tribune[s3]" in str(caught.value)
