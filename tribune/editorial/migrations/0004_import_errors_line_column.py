"""Import jobs' errors take the shape every import shares: line and column (was row and field)."""

from django.db import migrations


def rename_keys(apps, schema_editor):
    ImportJob = apps.get_model("editorial", "ImportJob")
    for job in ImportJob.objects.exclude(errors=[]).only("errors"):
        job.errors = [
            {"line": e.get("row", e.get("line", 0)), "column": e.get("field", e.get("column", "")),
             "message": e.get("message", "")}
            for e in job.errors
        ]  # fmt: skip
        job.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_publishing_states")]

    operations = [migrations.RunPython(rename_keys, migrations.RunPython.noop)]
