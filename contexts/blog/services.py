"""Use cases that change the blog context's state, each in one transaction on the blog alias."""

import contextvars
import logging
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from contexts.accounts import api as accounts_api
from contexts.blog import domain
from contexts.blog.models import (
    AccountTombstone,
    Author,
    Blog,
    Entry,
    EntryLink,
    IdempotencyRecord,
    PageVersion,
    WebSession,
)
from contexts.fetcher import api as fetcher_api
from contexts.kernel import prepared
from contexts.kernel.errors import Unavailable
from contexts.kernel.events.publishing import HeldRows, publish, rows_held
from contexts.kernel.tracing import use_case
from contexts.renderer import api as renderer_api

ALIAS = "blog"
CONTEXT = "blog"

logger = logging.getLogger(__name__)

# A small shared pool bounds how many renders (including ones past their budget, which
# cannot be killed) run at once; when it is saturated, publishing still succeeds and
# the entry is rendered in the background instead.
_render_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="blog-render")

Responder = Callable[[Entry], tuple[int, dict, str]]


# --- public pages -------------------------------------------------------------------


def pages_changed() -> None:
    """Inside the changing transaction: make every cached public page out of date.

    Every use case that changes what readers see calls this in its own transaction, so
    the new version commits with the change: from the moment a write is answered, no
    process serves a page cached before it (web.pagecache reads the version first).
    Every write holds the version's one row from here to its commit: call it last.
    """
    version, changed_at = _page_version_values()
    with connections[ALIAS].cursor() as cursor:
        # SQL of its own, as the reading side's (selectors.page_version): every write
        # sends it, and building it with the ORM cost more than sending it.
        cursor.execute(_PAGE_VERSION_UPDATE_SQL, [version, changed_at])
        updated = cursor.rowcount
    if not updated:
        _page_version_restore()


def _page_version_values() -> tuple[str, Any]:
    connection = connections[ALIAS]
    field = PageVersion._meta.get_field("changed_at")
    return uuid.uuid4().hex, field.get_db_prep_save(timezone.now(), connection)


def _page_version_restore() -> None:
    # The row is made by a migration; a flushed table gets it back here.
    PageVersion.objects.update_or_create(
        pk=1, defaults={"version": uuid.uuid4().hex, "changed_at": timezone.now()}
    )


_PAGE_VERSION_UPDATE_SQL = "UPDATE blog_pageversion SET version = %s, changed_at = %s WHERE id = 1"
_PUBLISHED_COUNT_SQL = (
    "UPDATE blog_blog SET published_entries = published_entries + %s WHERE id = %s"
)


# The two UPDATEs as one statement (on PostgreSQL, with the outbox rows held: HeldRows
# .fetch_with), answering each one's row count. The version's waits for the blog's: the
# blog's row is taken before the version's, as every write takes them (a write that took
# them the other way round could deadlock with one of those), and not at all when there
# is no such blog (the use case then fails and rolls back anyway).
_COUNT_AND_VERSION_SQL = (
    "WITH counted AS (UPDATE blog_blog SET published_entries = published_entries + %s"
    " WHERE id = %s RETURNING id),"
    " versioned AS (UPDATE blog_pageversion SET version = %s, changed_at = %s"
    " WHERE id = 1 AND EXISTS (SELECT FROM counted) RETURNING id)"
    " SELECT (SELECT count(*) FROM counted), (SELECT count(*) FROM versioned)"
)


def _count_published_and_pages_changed(
    blog_id: int, change: int, *, outbox: HeldRows | None = None
) -> None:
    """Inside the changing transaction, as its last statements: add `change` to the blog's
    published entries (holding its row, which a concurrent blog_delete then waits for),
    then pages_changed(). BlogNotFound when there is no such blog.

    Every write to a blog waits for its row, and every write for the pages' version, from
    the moment it takes them until its commit: taken last, and on PostgreSQL in one round
    trip, they are held for the commit alone rather than for the rest of the use case.
    With `outbox`, the outbox rows it holds go in that round trip too, in one statement.
    """
    version, changed_at = _page_version_values()
    if outbox is not None:
        counts = outbox.fetch_with(_COUNT_AND_VERSION_SQL, [change, blog_id, version, changed_at])
        assert counts is not None  # one row, whatever the tables hold
        counted, updated = counts
    else:
        counted, updated = _count_and_version(change, blog_id, version, changed_at)
    if not counted:
        raise domain.BlogNotFound()
    if not updated:
        _page_version_restore()


def _count_and_version(change: int, blog_id: int, version: str, changed_at: Any) -> tuple[int, int]:
    """The two UPDATEs, in one round trip on PostgreSQL; return their row counts (the
    version's is 0 when the blog's found none: it is not sent then, off PostgreSQL)."""
    connection = connections[ALIAS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"{_PUBLISHED_COUNT_SQL}; {_PAGE_VERSION_UPDATE_SQL}",
                [change, blog_id, version, changed_at],
            )
            counted = cursor.rowcount
            cursor.nextset()
        else:
            cursor.execute(_PUBLISHED_COUNT_SQL, [change, blog_id])
            counted = cursor.rowcount
            if not counted:
                return 0, 0
            cursor.execute(_PAGE_VERSION_UPDATE_SQL, [version, changed_at])
        return counted, cursor.rowcount


# --- authors ------------------------------------------------------------------------


@use_case(CONTEXT)
def author_ensure(*, account_id: str, name: str) -> Author:
    """Return the author of an account, creating it (or refreshing its name) as needed."""
    problems: dict[str, list[str]] = {}
    if (
        not isinstance(account_id, str)
        or not account_id
        or len(account_id) > domain.ACCOUNT_ID_MAX_LENGTH
    ):
        problems["account_id"] = [
            f"Must be a non-empty account id of at most {domain.ACCOUNT_ID_MAX_LENGTH} characters."
        ]
    if (
        not isinstance(name, str)
        or not name
        or len(name) > accounts_api.NAME_MAX_LENGTH
        or "\x00" in name
    ):
        problems["name"] = [
            f"Must be an account name of 1-{accounts_api.NAME_MAX_LENGTH} characters."
        ]
    if problems:
        raise domain.InvalidBlogInput(fields=problems)
    with transaction.atomic(using=ALIAS):
        if AccountTombstone.objects.filter(account_id=account_id).exists():
            # A deleted account's unexpired token must not bring its author back.
            raise domain.AccountGone()
        author, created = Author.objects.get_or_create(
            account_id=account_id, defaults={"name": name}
        )
        renamed = not created and author.name != name
        if renamed:
            author.name = name
            author.save(update_fields=["name"])
        if created or renamed:
            # A new author has a page; a renamed one's name shows on every page of theirs.
            pages_changed()
    return author


def author_credentials_renew(*, account_id: str, name: str, credentials_generation: int) -> None:
    """Record that the account's password changed; end its sessions made before that.

    Tokens and web sessions of a lower generation are refused from now on (see
    selectors.token_author and web.auth). Generations only go up, so a late, repeated
    or out-of-order event changes nothing. A deleted account stays deleted.
    """
    with transaction.atomic(using=ALIAS):
        if AccountTombstone.objects.filter(account_id=account_id).exists():
            return
        author, created = Author.objects.get_or_create(
            account_id=account_id, defaults={"name": name}
        )
        if created:
            pages_changed()
        Author.objects.filter(
            pk=author.pk, credentials_generation__lt=credentials_generation
        ).update(credentials_generation=credentials_generation)
        WebSession.objects.filter(
            account_id=account_id, credentials_generation__lt=credentials_generation
        ).delete()


# --- blogs --------------------------------------------------------------------------


def blog_check_owner(*, blog: Blog, actor: Author) -> None:
    """Raise NotOwner unless `actor` owns `blog` (adapters check before validating input)."""
    if blog.owner_id != actor.pk:
        raise domain.NotOwner()


@use_case(CONTEXT)
def blog_create(*, owner: Author, path: str, title: str, description: str = "") -> Blog:
    """Create a blog at `path` owned by `owner`; the path is unique and never changes."""
    domain.check_blog(path=path, title=title, description=description)
    with transaction.atomic(using=ALIAS):
        # Hold the owner row: an AccountDeleted handler removing it meanwhile would
        # otherwise leave the new blog pointing at nothing (a failed commit).
        if not Author.objects.select_for_update().filter(pk=owner.pk).exists():
            raise domain.AccountGone()
        if Blog.objects.filter(path=path).exists():
            raise domain.BlogPathTaken()
        now = timezone.now()
        try:
            # A savepoint, so that losing a race for the path is a 409, not a broken
            # transaction.
            with transaction.atomic(using=ALIAS):
                blog = Blog.objects.create(
                    path=path,
                    title=title,
                    description=description,
                    owner=owner,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError as exc:
            raise domain.BlogPathTaken() from exc
        pages_changed()
    return blog


@use_case(CONTEXT)
def blog_update(
    *, blog: Blog, actor: Author, title: str | None = None, description: str | None = None
) -> Blog:
    """Change a blog's title and/or description; only its owner may."""
    blog_check_owner(blog=blog, actor=actor)
    domain.check_blog(title=title, description=description)
    changes: dict[str, object] = {}
    if title is not None and title != blog.title:
        changes["title"] = title
    if description is not None and description != blog.description:
        changes["description"] = description
    if not changes:
        return blog
    changes["updated_at"] = timezone.now()
    with transaction.atomic(using=ALIAS):
        if not Blog.objects.filter(pk=blog.pk).update(**changes):
            raise domain.BlogNotFound()
        for field, value in changes.items():
            setattr(blog, field, value)
        pages_changed()
        publish(
            domain.BlogChanged(
                blog_id=str(blog.pk),
                path=blog.path,
                title=blog.title,
                url_path=domain.blog_url_path(blog.path),
                account_id=blog.owner.account_id,
                updated_at=blog.updated_at,
            ),
            using=ALIAS,
        )
    return blog


@use_case(CONTEXT)
def blog_delete(*, blog: Blog, actor: Author) -> None:
    """Delete a blog and all its entries; only its owner may."""
    blog_check_owner(blog=blog, actor=actor)
    blog_remove(blog=blog)


def blog_remove(*, blog: Blog) -> None:
    """Delete a blog and all its entries, whoever asks (an operator in the admin)."""
    with transaction.atomic(using=ALIAS):
        Entry.objects.filter(blog_id=blog.pk).delete()
        if Blog.objects.filter(pk=blog.pk).delete()[0]:
            pages_changed()
            publish(domain.BlogDeleted(blog_id=str(blog.pk), path=blog.path), using=ALIAS)


# --- rendering ----------------------------------------------------------------------


def _render_within_budget(
    body: str, links: Mapping[str, renderer_api.LinkPreview] | None = None
) -> renderer_api.Rendered | None:
    """Return the renderer's result for `body`, or None when it fails or runs out of time."""
    timeout = settings.BLOG_RENDER_TIMEOUT_SECONDS
    try:
        # In this request's context (its id, its trace), as the blog: the pool's thread
        # would otherwise call the renderer as no one in particular.
        future = _render_pool.submit(contextvars.copy_context().run, _render_call, body, links)
        return future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        logger.warning("Rendering took longer than %ss; rendering in the background.", timeout)
    except Unavailable as exc:
        # Expected while the renderer is down or faults are injected: one line that names
        # the failure (InjectedFault, TimedOut, CircuitOpen...), no stack trace per entry.
        logger.warning(
            "Rendering failed (%s: %s); the entry is saved and rendered in the background.",
            type(exc).__name__,
            exc,
        )
    except Exception:
        # Any renderer failure (a bug, a dependency down) must not lose the writer's text.
        logger.exception("Rendering failed; the entry is saved and rendered in the background.")
    return None


def _render_call(
    body: str, links: Mapping[str, renderer_api.LinkPreview] | None
) -> renderer_api.Rendered:
    return renderer_api.render(body, links=links)


def _link_previews(urls: tuple[str, ...]) -> dict[str, renderer_api.LinkPreview]:
    """Return what the fetcher knows of the pages at `urls`, as the renderer takes it."""
    try:
        known = fetcher_api.link_metadata(urls=urls)
    except Exception:
        # Titles are a nicety: without them the links read their URLs, as before.
        logger.exception("Link metadata could not be read; rendering without it.")
        return {}
    return {
        url: renderer_api.LinkPreview(
            title=page.title,
            description=page.description,
            site_name=page.site_name,
            image_url=page.image_url,
        )
        for url, page in known.items()
    }


def _render(body: str) -> renderer_api.Rendered | None:
    """Render `body` with what is known of the pages it shows titles or cards of.

    The renderer reports which URLs those are; only when the fetcher knows some of
    them is the body rendered a second time, with their metadata. None when rendering
    fails or runs out of time. Never inside a transaction: it may take seconds.
    """
    rendered = _render_within_budget(body)
    if rendered is None or not rendered.link_urls:
        return rendered
    previews = _link_previews(rendered.link_urls)
    if not previews:
        return rendered
    return _render_within_budget(body, previews) or rendered


def _links_keep(entry_id: int, link_urls: tuple[str, ...] | None, *, new: bool = False) -> None:
    """Inside the saving transaction: remember which pages the entry shows metadata of.

    Once the change commits, the fetcher is asked for the pages it does not know yet
    (or should refresh); when their metadata arrives, its event renders the entry again.
    None: unknown until the entry renders (entry_render_store keeps them then). A `new`
    entry has no links yet: nothing to forget, and nothing to write when it shows none.
    """
    if link_urls is None:
        return
    urls = [url for url in link_urls if len(url) <= fetcher_api.MAX_URL_LENGTH]
    if not new:
        EntryLink.objects.filter(entry_id=entry_id).exclude(url__in=urls).delete()
    if not urls:
        return
    EntryLink.objects.bulk_create(
        [EntryLink(entry_id=entry_id, url=url) for url in urls], ignore_conflicts=True
    )
    transaction.on_commit(partial(_links_fetch, urls), using=ALIAS)


def _links_fetch(urls: list[str]) -> None:
    """After commit: ask the fetcher for the pages; never fail the request that saved."""
    try:
        fetcher_api.link_fetch_request(urls=urls)
    except Exception:
        logger.exception("Could not ask for the metadata of %d linked page(s).", len(urls))


def _presentation(body: str, html: str | None) -> tuple[dict[str, object], str]:
    """Return the stored fields made from a body and its HTML (None: the escaped body
    stands in until a render succeeds), and the plain text readers see of it."""
    body_html = html if html is not None else domain.unrendered_html(body)
    try:
        plain = renderer_api.plain_text(body_html)
    except Unavailable:
        # The renderer is down: the entry is saved all the same, without an excerpt
        # until its render (retried in the background) stores one.
        logger.warning("No excerpt for now: the renderer is unavailable.")
        return {"body_html": body_html, "rendered": html is not None, "excerpt": ""}, body
    fields = {"body_html": body_html, "rendered": html is not None, "excerpt": plain.excerpt}
    return fields, plain.text


def _render_later(entry: Entry) -> None:
    """Inside the saving transaction: have the entry rendered again once it commits.

    The event travels through the outbox, so the render is retried with the events'
    backoff until it works, and a stuck one shows in `manage.py events failed`.
    """
    publish(domain.EntryRenderPending(entry_id=entry.public_id), using=ALIAS)


def entry_render_prepare(*, entry_id: str) -> domain.RenderedBody | None:
    """Render the body of an entry waiting for its HTML, outside any transaction.

    Returns None when there is nothing to do (no such entry, or rendered already); the
    result is None when the renderer failed or ran out of time. Drafts are rendered too:
    their owner reads them formatted.
    """
    if not domain.is_valid_entry_id(str(entry_id)):
        return None
    entry = Entry.objects.filter(pk=int(entry_id)).only("id", "body", "rendered").first()
    if entry is None or entry.rendered:
        return None
    return _rendered_body(entry.pk, entry.body)


def _rendered_body(entry_id: int, body: str) -> domain.RenderedBody:
    rendered = _render(body)
    if rendered is None:
        return domain.RenderedBody(entry_id=entry_id, body=body, html=None)
    return domain.RenderedBody(
        entry_id=entry_id, body=body, html=rendered.html, link_urls=rendered.link_urls
    )


@use_case(CONTEXT)
def entry_render_store(*, rendered: domain.RenderedBody | None) -> bool:
    """Store the HTML of entry_render_prepare(); raise EntryRenderFailed to be retried.

    Returns False when there is nothing to store: the entry was rendered or edited
    meanwhile (an edit renders or schedules its own body).
    """
    if rendered is None:
        return False
    if rendered.html is None:
        raise domain.EntryRenderFailed()
    fields, text = _presentation(rendered.body, rendered.html)
    with transaction.atomic(using=ALIAS):
        updated = Entry.objects.filter(
            pk=rendered.entry_id, rendered=False, body=rendered.body
        ).update(**fields, revision=F("revision") + 1)
        if updated:
            # Its page and its excerpts now show the formatted text (drafts: to the owner).
            pages_changed()
            _links_keep(rendered.entry_id, rendered.link_urls)
            entry = (
                Entry.objects.select_related("blog__owner").defer("body").get(pk=rendered.entry_id)
            )
            if not entry.is_draft:
                # Readers (and search) now get the formatted text instead of the source.
                _announce(domain.EntryChanged, entry=entry, text=text)
    return bool(updated)


def entry_links_rerender_prepare(*, url: str) -> list[domain.RenderedBody]:
    """Render again, outside any transaction, every entry that shows the title or card of
    `url` (its metadata arrived or changed). Raise EntryRenderFailed to be retried."""
    entry_ids = EntryLink.objects.filter(url=url).values_list("entry_id", flat=True)
    found = []
    for entry in Entry.objects.filter(pk__in=list(entry_ids)).only("id", "body"):
        rendered = _rendered_body(entry.pk, entry.body)
        if rendered.html is None:
            raise domain.EntryRenderFailed()
        found.append(rendered)
    return found


@use_case(CONTEXT)
def entry_links_rerender_store(*, rendered: list[domain.RenderedBody]) -> int:
    """Store the HTML of entry_links_rerender_prepare(); return how many entries changed.

    Rendering is a pure function of the body and the metadata, so storing twice changes
    nothing the second time; an entry edited meanwhile is left to its edit.
    """
    presented = [(item, *_presentation(item.body, item.html)) for item in rendered]
    changed = 0
    with transaction.atomic(using=ALIAS):
        for item, fields, text in presented:
            updated = (
                Entry.objects.filter(pk=item.entry_id, body=item.body)
                .exclude(body_html=item.html, rendered=True)
                .update(**fields, revision=F("revision") + 1)
            )
            if not updated:
                continue
            changed += 1
            pages_changed()
            entry = Entry.objects.select_related("blog__owner").defer("body").get(pk=item.entry_id)
            if not entry.is_draft:
                # Search shows the titles the links now read.
                _announce(domain.EntryChanged, entry=entry, text=text)
    return changed


# --- entries ------------------------------------------------------------------------


def _count_published(blog_id: int, change: int) -> bool:
    """Inside the changing transaction: add `change` to the blog's published entries (and
    hold its row); False when there is no such blog."""
    rows = Blog.objects.filter(pk=blog_id)
    return bool(rows.update(published_entries=F("published_entries") + change))


def _lock_blog(blog: Blog) -> None:
    """Inside the changing transaction: hold the blog row (a draft's; a published entry's
    count takes it: _count_published_and_pages_changed).

    Holding it keeps a concurrent blog_delete from orphaning the new entry.
    """
    if not Blog.objects.select_for_update().filter(pk=blog.pk).exists():
        raise domain.BlogNotFound()


def _announce(
    event_type: type[domain.EntryPublished | domain.EntryChanged], *, entry: Entry, text: str
) -> None:
    """Inside the changing transaction: tell what a published entry is now (blog and owner
    of `entry` loaded)."""
    assert entry.published_at is not None  # only a published entry is announced
    fields = domain.published_entry_fields(
        entry_id=entry.pk,
        revision=entry.revision,
        blog=entry.blog,
        title=entry.title,
        text=text,
        published_at=entry.published_at,
    )
    publish(event_type(**fields), using=ALIAS)


def _entry_create(
    *, blog: Blog, title: str, body: str, rendered: renderer_api.Rendered | None, status: str
) -> Entry:
    fields, text = _presentation(body, rendered.html if rendered is not None else None)
    now = timezone.now()
    entry = prepared.insert(
        Entry(
            blog=blog,
            title=title,
            body=body,
            **fields,
            created_at=now,
            published_at=now if status == domain.PUBLISHED else None,
        ),
        using=ALIAS,
    )
    # On PostgreSQL the events' outbox rows travel with the last statements, in one
    # round trip (or, for a draft, at the block's end).
    with rows_held(ALIAS) as outbox:
        if rendered is None:
            _render_later(entry)
        if not entry.is_draft:
            _announce(domain.EntryPublished, entry=entry, text=text)
        _links_keep(entry.pk, rendered.link_urls if rendered is not None else None, new=True)
        # Last: the blog's row (and, published, the pages' version) are held until the
        # commit. A blog deleted meanwhile is found here, and the entry rolls back with
        # the rest.
        if status == domain.PUBLISHED:
            _count_published_and_pages_changed(blog.pk, 1, outbox=outbox)
        else:
            _lock_blog(blog)
    return entry


def _check_new_entry(*, title: str, body: str, status: str) -> None:
    domain.check_entry(title=title, body=body, status=status)
    if status == domain.PUBLISHED:
        domain.check_publishable(body=body)


@use_case(CONTEXT)
def entry_create(
    *, blog: Blog, actor: Author, title: str, body: str, status: str = domain.PUBLISHED
) -> Entry:
    """Save a new entry in `blog`, published or as a draft, its body rendered to HTML.

    Only the owner may. When the renderer fails or exceeds BLOG_RENDER_TIMEOUT_SECONDS
    the entry is still saved, showing its escaped body, and is rendered again in the
    background.
    """
    blog_check_owner(blog=blog, actor=actor)
    _check_new_entry(title=title, body=body, status=status)
    rendered = _render(body)
    with transaction.atomic(using=ALIAS):
        entry = _entry_create(blog=blog, title=title, body=body, rendered=rendered, status=status)
    return entry


@use_case(CONTEXT)
def entry_publish(*, blog: Blog, actor: Author, title: str, body: str) -> Entry:
    """Publish a new entry in `blog` at once (entry_create with the published status)."""
    return entry_create(blog=blog, actor=actor, title=title, body=body, status=domain.PUBLISHED)


def _idempotency_cutoff() -> datetime:
    return timezone.now() - timedelta(hours=settings.BLOG_IDEMPOTENCY_TTL_HOURS)


def _replay(record: IdempotencyRecord, fingerprint: str) -> domain.StoredResponse:
    if record.fingerprint != fingerprint:
        raise domain.IdempotencyConflict()
    return domain.StoredResponse(
        status=record.response_status,
        body=record.response_body,
        location=record.response_location,
        replayed=True,
    )


@use_case(CONTEXT)
def entry_publish_idempotent(
    *,
    blog: Blog,
    actor: Author,
    title: str,
    body: str,
    key: str,
    fingerprint: str,
    respond: Responder,
    status: str = domain.PUBLISHED,
) -> domain.StoredResponse:
    """Create once per (account, Idempotency-Key) within the TTL; replay the first answer.

    `respond` turns the new entry into the (status, JSON body, Location) to keep. The
    same key with another `fingerprint` raises IdempotencyConflict. Concurrent twins
    meet at the unique (account_id, key) constraint: the loser waits for the winner's
    commit and replays its answer, so the entry is created once, published or draft.
    """
    blog_check_owner(blog=blog, actor=actor)
    if not domain.is_valid_idempotency_key(key):
        raise domain.InvalidBlogInput(fields={"Idempotency-Key": [domain.IDEMPOTENCY_KEY_MESSAGE]})
    _check_new_entry(title=title, body=body, status=status)
    account_id = actor.account_id
    cutoff = _idempotency_cutoff()
    # Answer a repeat before spending time on rendering.
    seen = IdempotencyRecord.objects.filter(
        account_id=account_id, key=key, created_at__gte=cutoff
    ).first()
    if seen is not None:
        return _replay(seen, fingerprint)
    rendered = _render(body)
    with transaction.atomic(using=ALIAS):
        # An expired record no longer counts; clear it so the key can be claimed again.
        IdempotencyRecord.objects.filter(
            account_id=account_id, key=key, created_at__lt=cutoff
        ).delete()
        try:
            with transaction.atomic(using=ALIAS):
                record = IdempotencyRecord.objects.create(
                    account_id=account_id,
                    key=key,
                    fingerprint=fingerprint,
                    response_status=0,
                    response_body={},
                )
        except IntegrityError:
            winner = IdempotencyRecord.objects.select_for_update().get(
                account_id=account_id, key=key
            )
            return _replay(winner, fingerprint)
        entry = _entry_create(blog=blog, title=title, body=body, rendered=rendered, status=status)
        response_status, response_body, location = respond(entry)
        record.response_status = response_status
        record.response_body = response_body
        record.response_location = location
        record.save(update_fields=["response_status", "response_body", "response_location"])
    return domain.StoredResponse(status=response_status, body=response_body, location=location)


def idempotency_records_purge() -> int:
    """Delete Idempotency-Key records older than BLOG_IDEMPOTENCY_TTL_HOURS; return how many."""
    with transaction.atomic(using=ALIAS):
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_idempotency_cutoff()).delete()
    return deleted


@use_case(CONTEXT)
def entry_edit(
    *,
    entry: Entry,
    actor: Author,
    title: str | None = None,
    body: str | None = None,
    status: str | None = None,
) -> Entry:
    """Change an entry's title, body and/or status; only the owner may.

    A changed body is rendered again. `status` publishes a draft (now) or returns a
    published entry to draft; a published entry must keep a body that is not blank.
    """
    blog_check_owner(blog=entry.blog, actor=actor)
    domain.check_entry(title=title, body=body, status=status)
    changes: dict[str, object] = {}
    if title is not None and title != entry.title:
        changes["title"] = title
    rendered = None
    text = None
    if body is not None and body != entry.body:
        rendered = _render(body)
        changes["body"] = body
        presentation, text = _presentation(body, rendered.html if rendered is not None else None)
        changes.update(presentation)
    now = timezone.now()
    if changes:
        changes["edited_at"] = now
    with transaction.atomic(using=ALIAS):
        current = (
            Entry.objects.select_for_update()
            .filter(pk=entry.pk)
            .only("id", "title", "body", "body_html", "published_at", "revision")
            .first()
        )
        if current is None:
            raise domain.EntryNotFound()
        # Decided on the row as it is now: an edit in between may have changed them.
        new_status = status or current.status
        if new_status == domain.PUBLISHED and (body is not None or current.is_draft):
            domain.check_publishable(body=body if body is not None else current.body)
        if new_status != current.status:
            changes["published_at"] = now if new_status == domain.PUBLISHED else None
            _count_published(entry.blog_id, 1 if new_status == domain.PUBLISHED else -1)
        if changes:
            changes["revision"] = current.revision + 1
            Entry.objects.filter(pk=entry.pk).update(**changes)
            if not (current.is_draft and new_status == domain.DRAFT):
                # Readers see it, or saw it until now (a draft's edits show to no reader).
                pages_changed()
        if "body" in changes:
            if rendered is None:
                _render_later(entry)
            _links_keep(entry.pk, rendered.link_urls if rendered is not None else None)
        for field, value in changes.items():
            setattr(entry, field, value)
        for field in ("title", "published_at", "revision"):
            if field not in changes:
                setattr(entry, field, getattr(current, field))
        if changes:
            _announce_edit(entry, was_draft=current.is_draft, current=current, text=text)
    return entry


def _announce_edit(entry: Entry, *, was_draft: bool, current: Entry, text: str | None) -> None:
    """Tell readers' projections what an edit changed for them (a draft's edits: nothing)."""
    if entry.is_draft:
        if not was_draft:
            publish(
                domain.EntryUnpublished(
                    entry_id=entry.public_id, revision=entry.revision, blog_id=str(entry.blog_id)
                ),
                using=ALIAS,
            )
        return
    if text is None:  # the body did not change: its text is the stored HTML's
        text = renderer_api.plain_text(current.body_html).text
    _announce(domain.EntryPublished if was_draft else domain.EntryChanged, entry=entry, text=text)


@use_case(CONTEXT)
def entry_remove(*, entry: Entry) -> None:
    """Delete an entry for good, whoever asks (an operator in the admin)."""
    with transaction.atomic(using=ALIAS):
        current = (
            Entry.objects.select_for_update()
            .filter(pk=entry.pk)
            .only("revision", "published_at", "blog_id")
            .first()
        )
        if current is None:
            return
        Entry.objects.filter(pk=entry.pk).delete()
        if not current.is_draft:
            _count_published(current.blog_id, -1)
        pages_changed()
        publish(
            domain.EntryDeleted(
                entry_id=entry.public_id, revision=current.revision + 1, blog_id=str(entry.blog_id)
            ),
            using=ALIAS,
        )


@use_case(CONTEXT)
def entry_unpublish(*, entry: Entry, actor: Author) -> Entry:
    """Return an entry to draft: readers no longer see it, its owner still does."""
    return entry_edit(entry=entry, actor=actor, status=domain.DRAFT)


# --- accounts -----------------------------------------------------------------------


def account_content_delete(*, account_id: str) -> None:
    """Forget a deleted account: its author, blogs, entries, keys and web sessions; refuse it."""
    with transaction.atomic(using=ALIAS):
        AccountTombstone.objects.get_or_create(account_id=account_id)
        Entry.objects.filter(blog__owner__account_id=account_id).delete()
        Blog.objects.filter(owner__account_id=account_id).delete()
        Author.objects.filter(account_id=account_id).delete()
        IdempotencyRecord.objects.filter(account_id=account_id).delete()
        WebSession.objects.filter(account_id=account_id).delete()
        pages_changed()
        # Told even when there was nothing here: a projection may hold what this context
        # no longer does (an event it got late), and forgetting twice is harmless.
        publish(domain.AccountContentDeleted(account_id=account_id), using=ALIAS)
