"""The fetcher context's first tables: what each linked page said, and its outbox."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Link',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.CharField(max_length=2000, unique=True)),
                ('final_url', models.CharField(blank=True, default='', max_length=2000)),
                ('title', models.CharField(blank=True, default='', max_length=300)),
                ('description', models.CharField(blank=True, default='', max_length=500)),
                ('site_name', models.CharField(blank=True, default='', max_length=100)),
                ('image_url', models.CharField(blank=True, default='', max_length=2000)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('ok', 'Ok'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('error', models.CharField(blank=True, default='', max_length=40)),
                ('error_detail', models.TextField(blank=True, default='')),
                ('fetched_at', models.DateTimeField(blank=True, null=True)),
                ('checked_at', models.DateTimeField(blank=True, null=True)),
                ('next_fetch_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('etag', models.CharField(blank=True, default='', max_length=500)),
                ('last_modified', models.CharField(blank=True, default='', max_length=100)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'indexes': [models.Index(fields=['next_fetch_at'], name='fetcher_link_due')],
            },
        ),
        migrations.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.UUIDField(unique=True)),
                ('type_name', models.CharField(max_length=200)),
                ('payload', models.JSONField()),
                ('headers', models.JSONField(blank=True, default=dict)),
                ('occurred_at', models.DateTimeField()),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True, default='')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
                'indexes': [models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='fetcher_outbox_pending'), models.Index(condition=models.Q(('state', 'sent')), fields=['sent_at'], name='fetcher_outbox_sent')],
            },
        ),
    ]
