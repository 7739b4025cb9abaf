# Drafts: an entry whose published_at is empty is a draft, seen by its owner only.
# Existing rows keep their meaning: published entries stay published, and entries that
# were unpublished (hidden from everyone, for good) become drafts their owner sees again.
# Also: the credentials generation that password changes raise, on authors and on web
# sessions, and the account id of each web session. Sessions saved before this migration
# have no account id on their row; they are still refused after a password change, by
# the generation their data lacks (it counts as 0).

import django.utils.timezone
from django.db import migrations, models


def _immediate_constraints(schema_editor, update):
    # PostgreSQL refuses to ALTER a table with deferred foreign-key checks still pending
    # from an UPDATE in the same transaction: run them at once around the data change.
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    update()
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def unpublished_to_drafts(apps, schema_editor):
    entries = apps.get_model("blog", "Entry").objects.using(schema_editor.connection.alias)

    def update():
        entries.update(created_at=models.F("published_at"))
        entries.filter(unpublished_at__isnull=False).update(published_at=None)

    _immediate_constraints(schema_editor, update)


def drafts_to_unpublished(apps, schema_editor):
    entries = apps.get_model("blog", "Entry").objects.using(schema_editor.connection.alias)

    def update():
        entries.filter(published_at__isnull=True).update(
            published_at=models.F("created_at"), unpublished_at=django.utils.timezone.now()
        )

    _immediate_constraints(schema_editor, update)


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0002_events_and_tombstones'),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='entry',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(unpublished_to_drafts, drafts_to_unpublished),
        migrations.RemoveField(
            model_name='entry',
            name='unpublished_at',
        ),
        migrations.AddField(
            model_name='author',
            name='credentials_generation',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='websession',
            name='account_id',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='websession',
            name='credentials_generation',
            field=models.PositiveIntegerField(default=0),
        ),
    ]
