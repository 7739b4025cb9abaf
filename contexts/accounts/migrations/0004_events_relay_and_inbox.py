"""Events cross processes: the outbox keeps its relay state, the inbox its consumption state."""

import django.utils.timezone
from django.db import migrations, models


def carry_over(apps, schema_editor):
    """Keep what the old registry knew: events not yet delivered to every subscriber stay
    pending (relayed again; inboxes drop what was applied), the rest count as sent; every
    old inbox row was an applied event."""
    alias = schema_editor.connection.alias
    Outbox = apps.get_model("accounts", "OutboxEvent")
    Publication = apps.get_model("accounts", "EventPublication")
    undelivered = Publication.objects.using(alias).exclude(state="completed").values("event_id")
    Outbox.objects.using(alias).filter(event_id__in=undelivered).update(state="pending")
    Outbox.objects.using(alias).exclude(event_id__in=undelivered).update(
        state="sent", sent_at=models.F("recorded_at")
    )



class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_credentials_generation'),
    ]

    operations = [
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
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='accounts_outbox_pending'),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('state', 'sent')), fields=['sent_at'], name='accounts_outbox_sent'),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='EventPublication',
        ),
        migrations.RemoveIndex(
            model_name='outboxevent',
            name='accounts_ou_recorde_9d8545_idx',
        ),
    ]
