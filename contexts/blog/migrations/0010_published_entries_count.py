"""A blog's count of published entries, kept with it, and an index of them in page order."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def count_published(apps, schema_editor):
    alias = schema_editor.connection.alias
    Blog = apps.get_model("blog", "Blog")
    Entry = apps.get_model("blog", "Entry")
    published = (
        Entry.objects.using(alias)
        .filter(blog=OuterRef("pk"), published_at__isnull=False)
        .order_by()
        .values("blog")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Blog.objects.using(alias).update(published_entries=Coalesce(Subquery(published), 0))


class Migration(migrations.Migration):
    dependencies = [("blog", "0009_page_version")]

    operations = [
        migrations.AddField(
            model_name="blog",
            name="published_entries",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=Q(published_at__isnull=False),
                fields=["blog", "-published_at", "-id"],
                name="blog_entry_blog_published",
            ),
        ),
        migrations.RunPython(count_published, migrations.RunPython.noop),
    ]
