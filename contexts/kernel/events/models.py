"""Abstract tables of the producer's outbox and the consumer's inbox.

A producing context declares, in its own models.py, a concrete `OutboxEvent(OutboxBase)`;
a consuming context an `InboxRecord(InboxBase)`. Each table lives in its context's own
schema, and each is that side's registry: the outbox records how relaying each event to
the broker went, the inbox how applying it went. Producer and consumer share no table.
"""

from django.db import models
from django.utils import timezone


class RelayState(models.TextChoices):
    """Where an outbox event stands on its way to the broker."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class InboxState(models.TextChoices):
    """Where a received event stands with one subscriber."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class OutboxBase(models.Model):
    """One published event, written in the producer's transaction, and its relay state.

    It names its event type and nothing else: who consumes it is the broker's business.
    """

    event_id = models.UUIDField(unique=True)
    type_name = models.CharField(max_length=200)
    payload = models.JSONField()
    # Request id and trace context of the use case that published it.
    headers = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=RelayState.choices, default=RelayState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        # Partial indexes: a use case's insert touches only the small one of pending rows.
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="%(app_label)s_outbox_pending",
            ),
            models.Index(
                fields=["sent_at"],
                condition=models.Q(state="sent"),
                name="%(app_label)s_outbox_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_name} {self.event_id} ({self.state})"


class InboxBase(models.Model):
    """An event received for one subscriber: its payload, and how applying it went.

    The row is inserted when the event arrives (a redelivery finds it and does nothing)
    and marked completed in the transaction that applies the handler's effect, so the
    effect happens once. A worker claims a row by pushing `next_attempt_at` a lease into
    the future: should it die, the row falls due again when the lease runs out.
    """

    event_id = models.UUIDField()
    subscriber = models.CharField(max_length=255)
    type_name = models.CharField(max_length=200)
    payload = models.JSONField()
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=InboxState.choices, default=InboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "subscriber"], name="%(app_label)s_%(class)s_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="%(app_label)s_inbox_pending",
            ),
            models.Index(
                fields=["completed_at"],
                condition=models.Q(state="completed"),
                name="%(app_label)s_inbox_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_name} {self.event_id} -> {self.subscriber} ({self.state})"
