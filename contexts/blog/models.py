"""The blog context's private schema: authors, blogs, entries, web sessions, idempotency."""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contexts.kernel.events.models import InboxBase, OutboxBase

# The field lengths repeat the limits of domain.py: models and domain are independent
# layers (import contract), and the domain rules are checked before anything is saved.


class Author(models.Model):
    """The blog context's own record of an account: its id as a plain value, and its name."""

    # No ForeignKey: accounts live in another context (and another database).
    account_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    # The account's credentials generation as the PasswordChanged event told it: tokens
    # and web sessions of a lower generation were made before a password change.
    credentials_generation = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(Lower("name"), name="blog_author_name_ci")]

    def __str__(self) -> str:
        return self.name


class Blog(models.Model):
    path = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=254)
    description = models.CharField(max_length=512, blank=True, default="")
    owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="blogs")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="blog_blog_newest")]

    def __str__(self) -> str:
        return self.path


class Entry(models.Model):
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(max_length=500)
    body = models.TextField()
    # The renderer's sanitized HTML, or the escaped body while `rendered` is False.
    body_html = models.TextField(blank=True, default="")
    rendered = models.BooleanField(default=False)
    # The plain-text excerpt of body_html, made with it (renderer_api.plain_text), so
    # that lists never render nor parse HTML when they are read.
    excerpt = models.TextField(blank=True, default="")
    # Raised by every change: a projection fed by this entry's events (search) keeps the
    # highest revision it saw, since events may arrive in any order.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # None while the entry is a draft, which only its owner sees; publishing sets it
    # to the time of publication, unpublishing clears it again.
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["blog", "-published_at", "-id"], name="blog_entry_newest"),
            # The home page, the site's feed and the sitemap: published entries of all blogs.
            models.Index(
                fields=["-published_at", "-id"],
                name="blog_entry_published",
                condition=models.Q(published_at__isnull=False),
            ),
            # The background re-render sweep looks for entries still waiting for HTML.
            models.Index(
                fields=["id"], name="blog_entry_unrendered", condition=models.Q(rendered=False)
            ),
        ]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.title

    @property
    def public_id(self) -> str:
        """The entry's id as it appears in URLs and JSON: an opaque string."""
        return str(self.pk)

    @property
    def status(self) -> str:
        """The entry's status as the API names it (domain.DRAFT or domain.PUBLISHED)."""
        return "draft" if self.published_at is None else "published"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class WebSession(AbstractBaseSession):
    """Server-side sessions of the blog context's web pages (see web/sessions.py)."""

    # Copied from the session data on each save, so that an account's sessions can be
    # found (and ended) without decoding every session: "" while nobody is signed in.
    account_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The account's credentials generation when this session signed in.
    credentials_generation = models.PositiveIntegerField(default=0)

    class Meta(AbstractBaseSession.Meta):
        db_table = "blog_web_session"


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an Idempotency-Key, kept to replay it."""

    account_id = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_location = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "key"], name="blog_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.key}"


class AccountTombstone(models.Model):
    """An account the accounts context deleted: its still-unexpired tokens are refused here.

    Account ids are never reused, so a tombstone is kept for good (see ADR 0002).
    """

    account_id = models.CharField(max_length=64, unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.account_id


class OutboxEvent(OutboxBase):
    """Events this context published, written in the transaction of their change, and
    how relaying each one to the broker went."""


class InboxRecord(InboxBase):
    """Events this context received, one row per handler, and how applying each went
    (a redelivery finds its row and does nothing)."""
