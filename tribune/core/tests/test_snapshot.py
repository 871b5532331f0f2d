from django.core.files.base import ContentFile

from tribune.core.snapshot import snapshot
from tribune.editorial.models import ImportJob


def test_it_records_a_file_by_its_name(workspace, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    job = ImportJob(workspace=workspace, source_format="tribune")
    job.file.save("posts.csv", ContentFile(b"a,b\n"), save=True)
    data = snapshot(job)
    assert data["file"].endswith(".csv")
    assert data["workspace_id"] == workspace.pk


def test_it_never_copies_a_secret_into_the_audit_log():
    from django.db import models

    from tribune.core.crypto import EncryptedTextField

    class Vault(models.Model):
        token = EncryptedTextField()

        class Meta:
            app_label = "core"
            managed = False

        def __str__(self) -> str:
            return "vault"

    assert snapshot(Vault(token="s3cret"))["token"] == "(set)"
    assert snapshot(Vault(token=""))["token"] == ""
