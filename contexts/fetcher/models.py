"""The fetcher context's private schema: one row per linked URL, and its event outbox."""

from django.db import models
from django.utils import timezone

from contexts.fetcher import domain
from contexts.kernel.events.models import OutboxBase

# The field lengths are the limits of domain.py, which the service cleans every value to
# before saving it.


class Link(models.Model):
    """A URL some entry links to, and what its page said when it was last fetched."""

    class Status(models.TextChoices):
        PENDING = "pending"  # not fetched yet
        OK = "ok"  # the last fetch succeeded
        FAILED = "failed"  # the last fetch failed; `error` says why

    # As the renderer reports it: percent-encoded, so ASCII.
    url = models.CharField(max_length=domain.MAX_URL_LENGTH, unique=True)
    # Where the redirects, if any, ended.
    final_url = models.CharField(max_length=domain.MAX_URL_LENGTH, blank=True, default="")
    title = models.CharField(max_length=domain.TITLE_MAX_LENGTH, blank=True, default="")
    description = models.CharField(max_length=domain.DESCRIPTION_MAX_LENGTH, blank=True, default="")
    site_name = models.CharField(max_length=domain.SITE_NAME_MAX_LENGTH, blank=True, default="")
    # https only (empty otherwise): shown on other people's pages.
    image_url = models.CharField(max_length=domain.MAX_URL_LENGTH, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=40, blank=True, default="")
    error_detail = models.TextField(blank=True, default="")
    # The last successful fetch (the metadata's age), and the last attempt of any kind.
    fetched_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # When the page may be fetched again (a claimed fetch pushes it forward).
    next_fetch_at = models.DateTimeField(default=timezone.now)
    # Validators for a conditional request on refresh.
    etag = models.CharField(max_length=domain.ETAG_MAX_LENGTH, blank=True, default="")
    last_modified = models.CharField(
        max_length=domain.LAST_MODIFIED_MAX_LENGTH, blank=True, default=""
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["next_fetch_at"], name="fetcher_link_due")]

    def __str__(self) -> str:
        return self.url


class OutboxEvent(OutboxBase):
    """Events this context published, written in the transaction of their change."""
