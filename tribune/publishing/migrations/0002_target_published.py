from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="target",
            index=models.Index(fields=["workspace", "published_at"], name="target_published"),
        ),
    ]
