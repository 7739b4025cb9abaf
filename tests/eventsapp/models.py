"""Tables of the test app: its outbox, its inbox, and what its handlers change."""

from django.db import models
from django.utils import timezone

from contexts.kernel.events.models import InboxBase, OutboxBase


class OutboxEvent(OutboxBase):
    pass


class InboxRecord(InboxBase):
    pass


class Thing(models.Model):
    """The state a use case changes (and announces with an event)."""

    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class Effect(models.Model):
    """What a handler did; never unique, so a duplicate delivery would show."""

    event_id = models.UUIDField()
    subscriber = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    worker = models.CharField(max_length=100, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.key}"


class Switch(models.Model):
    """A flag a test flips to make a failing handler succeed."""

    name = models.CharField(max_length=50, unique=True)
    on = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name}={self.on}"
