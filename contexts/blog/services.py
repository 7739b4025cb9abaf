"""Use cases that change the blog context's state, each in one transaction on the blog alias."""

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from contexts.blog import domain
from contexts.blog.models import (
    AccountTombstone,
    Author,
    Blog,
    Entry,
    EntryLink,
    IdempotencyRecord,
)
from contexts.fetcher import api as fetcher_api
from contexts.kernel.events.publishing import publish
from contexts.renderer import api as renderer_api

ALIAS = "blog"

logger = logging.getLogger(__name__)

# A small shared pool bounds how many renders (including ones past their budget, which
# cannot be killed) run at once; when it is saturated, publishing still succeeds and
# the entry is rendered in the background instead.
_render_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="blog-render")

Responder = Callable[[Entry], tuple[int, dict, str]]


# --- authors ------------------------------------------------------------------------


def author_ensure(*, account_id: str, name: str) -> Author:
    """Return the author of an account, creating it (or refreshing its name) as needed."""
    problems: dict[str, list[str]] = {}
    if not isinstance(account_id, str) or not account_id or len(account_id) > 64:
        problems["account_id"] = ["Must be a non-empty account id of at most 64 characters."]
    if (
        not isinstance(name, str)
        or not name
        or len(name) > domain.AUTHOR_NAME_MAX_LENGTH
        or "\x00" in name
    ):
        problems["name"] = ["Must be an account name of 1-16 characters."]
    if problems:
        raise domain.InvalidBlogInput(fields=problems)
    with transaction.atomic(using=ALIAS):
        if AccountTombstone.objects.filter(account_id=account_id).exists():
            # A deleted account's unexpired token must not bring its author back.
            raise domain.AccountGone()
        author, created = Author.objects.get_or_create(
            account_id=account_id, defaults={"name": name}
        )
        if not created and author.name != name:
            author.name = name
            author.save(update_fields=["name"])
    return author


# --- blogs --------------------------------------------------------------------------


def blog_check_owner(*, blog: Blog, actor: Author) -> None:
    """Raise NotOwner unless `actor` owns `blog` (adapters check before validating input)."""
    if blog.owner_id != actor.pk:
        raise domain.NotOwner()


_check_owner = blog_check_owner


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
    return blog


def blog_update(
    *, blog: Blog, actor: Author, title: str | None = None, description: str | None = None
) -> Blog:
    """Change a blog's title and/or description; only its owner may."""
    _check_owner(blog=blog, actor=actor)
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
    return blog


def blog_delete(*, blog: Blog, actor: Author) -> None:
    """Delete a blog and all its entries; only its owner may."""
    _check_owner(blog=blog, actor=actor)
    with transaction.atomic(using=ALIAS):
        Entry.objects.filter(blog_id=blog.pk).delete()
        Blog.objects.filter(pk=blog.pk).delete()


# --- rendering ----------------------------------------------------------------------


def _render_within_budget(
    body: str, links: Mapping[str, renderer_api.LinkPreview] | None = None
) -> renderer_api.Rendered | None:
    """Return the renderer's result for `body`, or None when it fails or runs out of time."""
    timeout = settings.BLOG_RENDER_TIMEOUT_SECONDS
    try:
        future = _render_pool.submit(renderer_api.render, body, links=links)
        return future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        logger.warning("Rendering took longer than %ss; rendering in the background.", timeout)
    except Exception:
        # Any renderer failure (a bug, a dependency down) must not lose the writer's text.
        logger.exception("Rendering failed; the entry is saved and rendered in the background.")
    return None


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
    fails or runs out of time.
    """
    rendered = _render_within_budget(body)
    if rendered is None or not rendered.link_urls:
        return rendered
    previews = _link_previews(rendered.link_urls)
    if not previews:
        return rendered
    return _render_within_budget(body, previews) or rendered


def _links_keep(entry: Entry, rendered: renderer_api.Rendered | None) -> None:
    """Inside the saving transaction: remember which pages the entry shows metadata of.

    Once the change commits, the fetcher is asked for the pages it does not know yet
    (or should refresh); when their metadata arrives, its event renders the entry again.
    """
    if rendered is None:
        return  # unknown until the entry renders (entry_render keeps them then)
    urls = [url for url in rendered.link_urls if len(url) <= fetcher_api.MAX_URL_LENGTH]
    EntryLink.objects.filter(entry=entry).exclude(url__in=urls).delete()
    EntryLink.objects.bulk_create(
        [EntryLink(entry=entry, url=url) for url in urls], ignore_conflicts=True
    )
    if urls:
        transaction.on_commit(partial(_links_fetch, urls), using=ALIAS)


def _links_fetch(urls: list[str]) -> None:
    """After commit: ask the fetcher for the pages; never fail the request that saved."""
    try:
        fetcher_api.link_fetch_request(urls=urls)
    except Exception:
        logger.exception("Could not ask for the metadata of %d linked page(s).", len(urls))


def _render_later(entry: Entry) -> None:
    """Inside the saving transaction: have the entry rendered again once it commits.

    The event travels through the outbox, so the render is retried with the events'
    backoff until it works, and a stuck one shows in `manage.py events failed`.
    """
    publish(domain.EntryRenderPending(entry_id=entry.public_id), using=ALIAS)


def entry_render(*, entry_id: str) -> bool:
    """Render a waiting entry and store its HTML; raise EntryRenderFailed to be retried.

    Returns False when there is nothing to do (no such entry, already rendered,
    unpublished, or edited meanwhile: the edit renders or schedules its own body).
    """
    if not domain.is_valid_entry_id(str(entry_id)):
        return False
    entry = Entry.objects.filter(pk=int(entry_id)).first()
    if entry is None or entry.rendered or entry.unpublished_at is not None:
        return False
    rendered = _render(entry.body)
    if rendered is None:
        raise domain.EntryRenderFailed()
    with transaction.atomic(using=ALIAS):
        current = Entry.objects.select_for_update().filter(pk=entry.pk).first()
        if current is None or current.rendered or current.body != entry.body:
            return False
        current.body_html = rendered.html
        current.rendered = True
        current.save(update_fields=["body_html", "rendered"])
        _links_keep(current, rendered)
    return True


def entry_links_rerender(*, url: str) -> int:
    """Render again every entry that shows the title or card of `url`; return how many changed.

    Called when the page's metadata arrives or changes. Rendering is a pure function of
    the body and the metadata, so running this twice changes nothing the second time;
    an entry edited meanwhile is left to its edit. Raises EntryRenderFailed (to be
    retried) when the renderer fails.
    """
    changed = 0
    entry_ids = EntryLink.objects.filter(url=url).values_list("entry_id", flat=True)
    for entry in Entry.objects.filter(pk__in=list(entry_ids)).only("id", "body"):
        rendered = _render(entry.body)
        if rendered is None:
            raise domain.EntryRenderFailed()
        # Matching the body leaves an entry edited meanwhile to its edit's own render.
        changed += (
            Entry.objects.filter(pk=entry.pk, body=entry.body)
            .exclude(body_html=rendered.html, rendered=True)
            .update(body_html=rendered.html, rendered=True)
        )
    return changed


# --- entries ------------------------------------------------------------------------


def _lock_blog(blog: Blog) -> None:
    # Holding the blog row keeps a concurrent blog_delete from orphaning the new entry.
    if not Blog.objects.select_for_update().filter(pk=blog.pk).exists():
        raise domain.BlogNotFound()


def _entry_create(
    *, blog: Blog, title: str, body: str, rendered: renderer_api.Rendered | None
) -> Entry:
    _lock_blog(blog)
    entry = Entry.objects.create(
        blog=blog,
        title=title,
        body=body,
        body_html=rendered.html if rendered is not None else domain.unrendered_html(body),
        rendered=rendered is not None,
        published_at=timezone.now(),
    )
    if rendered is None:
        _render_later(entry)
    _links_keep(entry, rendered)
    return entry


def entry_publish(*, blog: Blog, actor: Author, title: str, body: str) -> Entry:
    """Publish an entry in `blog` with its body rendered to HTML; only the owner may.

    When the renderer fails or exceeds BLOG_RENDER_TIMEOUT_SECONDS the entry is still
    published, showing its escaped body, and is rendered again in the background.
    """
    _check_owner(blog=blog, actor=actor)
    domain.check_entry(title=title, body=body)
    rendered = _render(body)
    with transaction.atomic(using=ALIAS):
        entry = _entry_create(blog=blog, title=title, body=body, rendered=rendered)
    return entry


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


def entry_publish_idempotent(
    *,
    blog: Blog,
    actor: Author,
    title: str,
    body: str,
    key: str,
    fingerprint: str,
    respond: Responder,
) -> domain.StoredResponse:
    """Publish once per (account, Idempotency-Key) within the TTL; replay the first answer.

    `respond` turns the new entry into the (status, JSON body, Location) to keep. The
    same key with another `fingerprint` raises IdempotencyConflict. Concurrent twins
    meet at the unique (account_id, key) constraint: the loser waits for the winner's
    commit and replays its answer, so the entry is published once.
    """
    _check_owner(blog=blog, actor=actor)
    if not domain.is_valid_idempotency_key(key):
        raise domain.InvalidBlogInput(
            fields={"Idempotency-Key": ["Use 1-255 printable ASCII characters."]}
        )
    domain.check_entry(title=title, body=body)
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
        entry = _entry_create(blog=blog, title=title, body=body, rendered=rendered)
        status, response_body, location = respond(entry)
        record.response_status = status
        record.response_body = response_body
        record.response_location = location
        record.save(update_fields=["response_status", "response_body", "response_location"])
    return domain.StoredResponse(status=status, body=response_body, location=location)


def idempotency_records_purge() -> int:
    """Delete Idempotency-Key records older than BLOG_IDEMPOTENCY_TTL_HOURS; return how many."""
    with transaction.atomic(using=ALIAS):
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_idempotency_cutoff()).delete()
    return deleted


def entry_edit(
    *, entry: Entry, actor: Author, title: str | None = None, body: str | None = None
) -> Entry:
    """Change an entry's title and/or body and render it again; only the owner may."""
    _check_owner(blog=entry.blog, actor=actor)
    if entry.unpublished_at is not None:
        raise domain.EntryNotFound()
    domain.check_entry(title=title, body=body)
    new_body = entry.body if body is None else body
    rendered = _render(new_body)
    with transaction.atomic(using=ALIAS):
        current = (
            Entry.objects.select_for_update()
            .filter(pk=entry.pk, unpublished_at__isnull=True)
            .only("id", "body")
            .first()
        )
        if current is None:
            raise domain.EntryNotFound()
        if body is None and current.body != new_body:
            # Someone changed the body while we rendered the old one: keep theirs.
            new_body, rendered = current.body, None
        if title is not None:
            entry.title = title
        entry.body = new_body
        entry.body_html = (
            rendered.html if rendered is not None else domain.unrendered_html(new_body)
        )
        entry.rendered = rendered is not None
        entry.edited_at = timezone.now()
        entry.save(update_fields=["title", "body", "body_html", "rendered", "edited_at"])
        if rendered is None:
            _render_later(entry)
        _links_keep(entry, rendered)
    return entry


def entry_unpublish(*, entry: Entry, actor: Author) -> None:
    """Hide an entry from everyone; only the owner may. Unpublishing twice is a no-op."""
    _check_owner(blog=entry.blog, actor=actor)
    now = timezone.now()
    with transaction.atomic(using=ALIAS):
        Entry.objects.filter(pk=entry.pk, unpublished_at__isnull=True).update(unpublished_at=now)
    if entry.unpublished_at is None:
        entry.unpublished_at = now


# --- accounts -----------------------------------------------------------------------


def account_content_delete(*, account_id: str) -> None:
    """Forget a deleted account: delete its author, blogs, entries and keys, and refuse it."""
    with transaction.atomic(using=ALIAS):
        AccountTombstone.objects.get_or_create(account_id=account_id)
        Entry.objects.filter(blog__owner__account_id=account_id).delete()
        Blog.objects.filter(owner__account_id=account_id).delete()
        Author.objects.filter(account_id=account_id).delete()
        IdempotencyRecord.objects.filter(account_id=account_id).delete()
