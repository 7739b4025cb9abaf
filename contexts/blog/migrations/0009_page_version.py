"""The version of the public pages that the page cache keys them by (one row)."""

import uuid

import django.utils.timezone
from django.db import migrations, models


def create_version(apps, schema_editor):
    PageVersion = apps.get_model("blog", "PageVersion")
    PageVersion.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"version": uuid.uuid4().hex}
    )


class Migration(migrations.Migration):
    dependencies = [("blog", "0008_drop_entry_unrendered_index")]

    operations = [
        migrations.CreateModel(
            name="PageVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(create_version, migrations.RunPython.noop),
    ]
