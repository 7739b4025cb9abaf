"""Drop the index of entries waiting for HTML: the sweep it served no longer exists.

An entry whose render failed is rendered again by its EntryRenderPending event, which
names the entry; nothing looks for unrendered entries, so the index only cost writes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_entry_excerpts_backfill"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="entry", name="blog_entry_unrendered"),
    ]
