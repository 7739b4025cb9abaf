"""The accounts context's private schema."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contexts.accounts import domain
from contexts.kernel.events.models import OutboxBase


def new_account_id() -> str:
    """Return a fresh opaque account id (32 lowercase hex digits)."""
    return uuid.uuid4().hex


class Account(models.Model):
    """A registered account: its name and its password hash (never the password)."""

    id = models.CharField(
        primary_key=True,
        max_length=domain.ACCOUNT_ID_LENGTH,
        default=new_account_id,
        editable=False,
    )
    name = models.CharField(max_length=domain.NAME_MAX_LENGTH)
    # Django's password hash format ("<algorithm>$..."); argon2 hashes are about 100
    # characters, so leave room for stronger parameters.
    password_hash = models.CharField(max_length=255)
    # Raised by each password change: tokens carry it (claim `gen`), so that those made
    # before the change can be told apart from those made after, whatever the clock says.
    credentials_generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Names are unique ignoring case; the database says so, not just the service,
            # so two concurrent registrations of "Alice" and "alice" cannot both succeed.
            models.UniqueConstraint(Lower("name"), name="accounts_account_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OutboxEvent(OutboxBase):
    """Events this context published, written in the transaction of their change, and
    how relaying each one to the broker went."""
