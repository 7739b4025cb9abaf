"""Give the entries saved before excerpts existed theirs, made from their stored HTML.

A data migration rather than a command to remember: every site gets its excerpts on
the upgrade's `migrate`, and lists never show an entry without one. It renders nothing
(the HTML is stored), runs outside one long transaction, a batch of entries at a time in
id order, and skips entries that have an excerpt already, so an interrupted run goes on
where it stopped.
"""

from django.db import migrations, transaction

from contexts.renderer import api as renderer_api

BATCH = 500


def fill_excerpts(apps, schema_editor):
    alias = schema_editor.connection.alias
    Entry = apps.get_model("blog", "Entry")
    waiting = Entry.objects.using(alias).filter(excerpt="").exclude(body_html="").order_by("id")
    last = 0
    while True:
        batch = list(waiting.filter(id__gt=last).only("id", "body_html")[:BATCH])
        if not batch:
            return
        for entry in batch:
            entry.excerpt = renderer_api.plain_text(entry.body_html).excerpt
        with transaction.atomic(using=alias):
            Entry.objects.using(alias).bulk_update(batch, ["excerpt"])
        last = batch[-1].id


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("blog", "0006_entry_excerpt_and_revision")]

    operations = [migrations.RunPython(fill_excerpts, migrations.RunPython.noop, elidable=True)]
