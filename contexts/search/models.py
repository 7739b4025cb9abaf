"""The search context's private schema: the indexed entries and blogs, and its inbox.

The full-text index itself is not a Django field: on PostgreSQL a generated tsvector
column of search_document with a GIN index, on SQLite an FTS5 table kept in step by
triggers (both made by migration 0002, see backends.py).
"""

from django.db import models
from django.utils import timezone

from contexts.kernel.events.models import InboxBase


class IndexedBlog(models.Model):
    """A blog as the blog context's events told it; a deleted one stays, as a tombstone."""

    # The blog context's id, a plain value: no relation leaves this context.
    blog_id = models.CharField(max_length=32, unique=True)
    path = models.CharField(max_length=64, blank=True, default="")
    title = models.CharField(max_length=254, blank=True, default="")
    url_path = models.CharField(max_length=300, blank=True, default="")
    account_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The blog's updated_at when its title was read: an older event never overwrites a
    # newer title. None until an event told the title.
    updated_at = models.DateTimeField(null=True, blank=True)
    # Later events about a deleted blog's entries (events are not ordered) change nothing.
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.path or self.blog_id


class Document(models.Model):
    """An entry as the index knows it: findable while visible, remembered when not.

    A hidden or deleted entry keeps its row, emptied, with the highest revision seen: an
    event that arrives late (at least once, in any order) cannot bring it back.
    """

    class State(models.TextChoices):
        VISIBLE = "visible"
        HIDDEN = "hidden"
        DELETED = "deleted"

    entry_id = models.CharField(max_length=32, unique=True)
    revision = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.HIDDEN)
    blog = models.ForeignKey(IndexedBlog, on_delete=models.CASCADE, related_name="documents")
    account_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    author_name = models.CharField(max_length=64, blank=True, default="")
    title = models.CharField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    url_path = models.CharField(max_length=300, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    # When an event or a reindex last wrote the row: a reindex hides the visible rows it
    # did not write, whose entries the blog no longer publishes.
    indexed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.entry_id} ({self.state})"


class ForgottenAccount(models.Model):
    """An account whose content the blog deleted: nothing of it is indexed again."""

    account_id = models.CharField(max_length=64, unique=True)
    forgotten_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.account_id


class InboxRecord(InboxBase):
    """Events this context received, one row per handler, and how applying each went
    (a redelivery finds its row and does nothing)."""
