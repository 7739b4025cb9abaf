"""Entries keep their excerpt and a revision; published entries of all blogs get an index."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0005_entry_links'),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='excerpt',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='entry',
            name='revision',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('published_at__isnull', False)), fields=['-published_at', '-id'], name='blog_entry_published'),
        ),
    ]
