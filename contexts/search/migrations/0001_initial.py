"""The search context's tables: indexed blogs and entries, forgotten accounts, the inbox."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='ForgottenAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_id', models.CharField(max_length=64, unique=True)),
                ('forgotten_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name='IndexedBlog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('blog_id', models.CharField(max_length=32, unique=True)),
                ('path', models.CharField(blank=True, default='', max_length=64)),
                ('title', models.CharField(blank=True, default='', max_length=254)),
                ('url_path', models.CharField(blank=True, default='', max_length=300)),
                ('account_id', models.CharField(blank=True, db_index=True, default='', max_length=64)),
                ('updated_at', models.DateTimeField(blank=True, null=True)),
                ('deleted', models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name='InboxRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.UUIDField()),
                ('subscriber', models.CharField(max_length=255)),
                ('type_name', models.CharField(max_length=200)),
                ('payload', models.JSONField()),
                ('headers', models.JSONField(blank=True, default=dict)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('completed', 'Completed'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True, default='')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('claim_token', models.UUIDField(blank=True, null=True)),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
                'indexes': [models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='search_inbox_pending'), models.Index(condition=models.Q(('state', 'completed')), fields=['completed_at'], name='search_inbox_completed')],
                'constraints': [models.UniqueConstraint(fields=('event_id', 'subscriber'), name='search_inboxrecord_once')],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entry_id', models.CharField(max_length=32, unique=True)),
                ('revision', models.PositiveIntegerField(default=0)),
                ('state', models.CharField(choices=[('visible', 'Visible'), ('hidden', 'Hidden'), ('deleted', 'Deleted')], default='hidden', max_length=16)),
                ('account_id', models.CharField(blank=True, db_index=True, default='', max_length=64)),
                ('author_name', models.CharField(blank=True, default='', max_length=64)),
                ('title', models.CharField(blank=True, default='', max_length=500)),
                ('text', models.TextField(blank=True, default='')),
                ('url_path', models.CharField(blank=True, default='', max_length=300)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('indexed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('blog', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='search.indexedblog')),
            ],
        ),
    ]
