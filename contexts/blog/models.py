"""The blog context's private schema: authors, blogs, entries, links, sessions, idempotency."""

from typing import Any, cast

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contexts.accounts import api as accounts_api
from contexts.blog import domain
from contexts.fetcher import api as fetcher_api
from contexts.kernel.events.models import InboxBase, OutboxBase


class Author(models.Model):
    """The blog context's own record of an account: its id as a plain value, and its name."""

    # No ForeignKey: accounts live in another context (and another database).
    account_id = models.CharField(max_length=domain.ACCOUNT_ID_MAX_LENGTH, unique=True)
    name = models.CharField(max_length=accounts_api.NAME_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    # The account's credentials generation as the PasswordChanged event told it: tokens
    # and web sessions of a lower generation were made before a password change.
    credentials_generation = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(Lower("name"), name="blog_author_name_ci")]

    def __str__(self) -> str:
        return self.name


class Blog(models.Model):
    path = models.SlugField(max_length=domain.PATH_MAX_LENGTH, unique=True)
    title = models.CharField(max_length=domain.TITLE_MAX_LENGTH)
    description = models.CharField(max_length=domain.DESCRIPTION_MAX_LENGTH, blank=True, default="")
    owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="blogs")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # How many of its entries are published, kept by the services in the transaction of
    # each change: pages are numbered without counting the rows each time.
    published_entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="blog_blog_newest")]

    def __str__(self) -> str:
        return self.path


class Entry(models.Model):
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(max_length=domain.ENTRY_TITLE_MAX_LENGTH)
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
            # A blog's published entries in page order: a deep page skips this blog's
            # rows only, not every blog's (nor its drafts).
            models.Index(
                fields=["blog", "-published_at", "-id"],
                name="blog_entry_blog_published",
                condition=models.Q(published_at__isnull=False),
            ),
            # The home page, the site's feed and the sitemap: published entries of all blogs.
            models.Index(
                fields=["-published_at", "-id"],
                name="blog_entry_published",
                condition=models.Q(published_at__isnull=False),
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


class PageVersion(models.Model):
    """The version of every public page: changed, in the same transaction, by each write
    that changes what a reader sees (web.pagecache keys cached pages by it).

    One row. A random token rather than a counter: a database restored from a backup, or
    a test database flushed, never brings back a version a cache already holds pages of.
    """

    version = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.version


class EntryLink(models.Model):
    """A page whose title or card an entry shows: the entry is rendered again when it changes."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="links")
    # As the renderer reports it: percent-encoded, at most the fetcher's MAX_URL_LENGTH.
    url = models.CharField(max_length=fetcher_api.MAX_URL_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "url"], name="blog_entry_link_once")
        ]
        indexes = [models.Index(fields=["url"], name="blog_entry_link_url")]

    def __str__(self) -> str:
        return self.url


class WebSession(AbstractBaseSession):
    """Server-side sessions of the blog context's web pages (SESSION_ENGINE: web/sessions.py)."""

    # Copied from the session data on each save, so that an account's sessions can be
    # found (and ended) without decoding every session: "" while nobody is signed in.
    account_id = models.CharField(
        max_length=domain.ACCOUNT_ID_MAX_LENGTH, blank=True, default="", db_index=True
    )
    # The account's credentials generation when this session signed in.
    credentials_generation = models.PositiveIntegerField(default=0)

    # django-stubs leaves out AbstractBaseSession's (abstract) Meta.
    class Meta(AbstractBaseSession.Meta):  # type: ignore[name-defined]
        db_table = "blog_web_session"

    @classmethod
    def get_session_store_class(cls) -> type["WebSessionStore"]:
        # What get_decoded() decodes with (the admin, the shell).
        return WebSessionStore


# What a signed-in web session holds (see web.auth).
SESSION_ACCOUNT_ID = "blog_account_id"
SESSION_ACCOUNT_NAME = "blog_account_name"
# The account's credentials generation at sign-in: a password change raises the
# account's, which ends every session holding an older one.
SESSION_CREDENTIALS_GENERATION = "blog_credentials_generation"


class WebSessionStore(DatabaseSessionStore):
    """Django's database session store, on the WebSession table.

    One class for writing and reading: the signature of session data is salted with
    the store's class name.
    """

    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        return WebSession

    def create_model_instance(self, data: dict[str, Any]) -> WebSession:
        """Copy who is signed in onto the row, where an account's sessions can be found."""
        # An instance of get_model_class(), which the stubs type as the abstract base.
        session = cast(WebSession, super().create_model_instance(data))
        session.account_id = str(data.get(SESSION_ACCOUNT_ID) or "")
        session.credentials_generation = int(data.get(SESSION_CREDENTIALS_GENERATION) or 0)
        return session


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an Idempotency-Key, kept to replay it."""

    account_id = models.CharField(max_length=domain.ACCOUNT_ID_MAX_LENGTH)
    key = models.CharField(max_length=domain.IDEMPOTENCY_KEY_MAX_LENGTH)
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

    account_id = models.CharField(max_length=domain.ACCOUNT_ID_MAX_LENGTH, unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.account_id


class OutboxEvent(OutboxBase):
    """Events this context published, written in the transaction of their change, and
    how relaying each one to the broker went."""


class InboxRecord(InboxBase):
    """Events this context received, one row per handler, and how applying each went
    (a redelivery finds its row and does nothing)."""
