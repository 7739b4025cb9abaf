"""Events cross processes: the outbox keeps its relay state, the inbox its consumption state."""

import django.utils.timezone
from django.db import migrations, models


def carry_over(apps, schema_editor):
    """Keep what the old registry knew: events not yet delivered to every subscriber stay
    pending (relayed again; inboxes drop what was applied), the rest count as sent; every
    old inbox row was an applied event."""
    alias = schema_editor.connection.alias
    Outbox = apps.get_model("blog", "OutboxEvent")
    Publication = apps.get_model("blog", "EventPublication")
    undelivered = Publication.objects.using(alias).exclude(state="completed").values("event_id")
    Outbox.objects.using(alias).filter(event_id__in=undelivered).update(state="pending")
    Outbox.objects.using(alias).exclude(event_id__in=undelivered).update(
        state="sent", sent_at=models.F("recorded_at")
    )
    Inbox = apps.get_model("blog", "InboxRecord")
    Inbox.objects.using(alias).update(
        state="completed",
        completed_at=models.F("processed_at"),
        received_at=models.F("processed_at"),
    )



class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0003_drafts_and_credentials'),
    ]

    operations = [
        migrations.AddField(
            model_name='inboxrecord',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='claim_token',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='completed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='headers',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='last_error',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='next_attempt_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='payload',
            field=models.JSONField(default=dict),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='received_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='state',
            field=models.CharField(choices=[('pending', 'Pending'), ('completed', 'Completed'), ('failed', 'Failed')], default='pending', max_length=16),
        ),
        migrations.AddField(
            model_name='inboxrecord',
            name='type_name',
            field=models.CharField(default='', max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='headers',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='last_error',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='next_attempt_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='outboxevent',
            name='state',
            field=models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16),
        ),
        migrations.AddIndex(
            model_name='inboxrecord',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='blog_inbox_pending'),
        ),
        migrations.AddIndex(
            model_name='inboxrecord',
            index=models.Index(condition=models.Q(('state', 'completed')), fields=['completed_at'], name='blog_inbox_completed'),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='blog_outbox_pending'),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('state', 'sent')), fields=['sent_at'], name='blog_outbox_sent'),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='EventPublication',
        ),
        migrations.RemoveIndex(
            model_name='inboxrecord',
            name='blog_inboxr_process_3cd0b5_idx',
        ),
        migrations.RemoveIndex(
            model_name='outboxevent',
            name='blog_outbox_recorde_2fcab8_idx',
        ),
        migrations.RemoveField(
            model_name='inboxrecord',
            name='processed_at',
        ),
    ]
