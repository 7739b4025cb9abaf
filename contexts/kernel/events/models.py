"""Abstract tables of the outbox, the publication registry and the inbox.

A producing context declares, in its own models.py, concrete `OutboxEvent(OutboxBase)`
and `EventPublication(PublicationBase)`; a consuming context `InboxRecord(InboxBase)`.
The tables then live in that context's own schema, like the rest of its data.
"""

from django.db import models
from django.utils import timezone


class State(models.TextChoices):
    """Where a publication (one event for one subscriber) stands."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class OutboxBase(models.Model):
    """One published event, written in the producer's transaction."""

    event_id = models.UUIDField(unique=True)
    type_name = models.CharField(max_length=200)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["recorded_at"])]

    def __str__(self) -> str:
        return f"{self.type_name} {self.event_id}"


class PublicationBase(models.Model):
    """The delivery of one event to one subscriber, and how it went."""

    event_id = models.UUIDField()
    event_type = models.CharField(max_length=200)
    # The subscriber's handler as "module.function": stable across deploys.
    subscriber = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set when a worker claims it; a claim older than the staleness threshold is
    # presumed dead. The token makes a late answer from a presumed-dead worker harmless.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "subscriber"], name="%(app_label)s_%(class)s_once"
            )
        ]
        # Unnamed indexes get a name per concrete table (an abstract base cannot fix one).
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.subscriber} ({self.state})"


class InboxBase(models.Model):
    """An event a subscriber has handled; its presence turns a redelivery into a no-op."""

    event_id = models.UUIDField()
    subscriber = models.CharField(max_length=255)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "subscriber"], name="%(app_label)s_%(class)s_once"
            )
        ]
        indexes = [models.Index(fields=["processed_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} handled by {self.subscriber}"
