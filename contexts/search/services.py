"""Use cases that change the index, each in one transaction on the search alias.

Events arrive at least once and in any order, so every change is decided on the rows as
they are: an entry's highest revision wins, a deleted entry, blog or account stays
deleted, and a blog's newest title wins.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connections, transaction
from django.db.models import Exists
from django.utils import timezone

from contexts.kernel.prepared import PreparedQuery
from contexts.kernel.sql import fetch_all, insert_rows, quoted_columns
from contexts.search import domain
from contexts.search.models import Document, ForgottenAccount, IndexedBlog

ALIAS = "search"
State = Document.State
_CLEARED = {"title": "", "text": ""}


def _blogs_locked(
    blog_ids: Iterable[str], *, forgotten: Iterable[str] = ()
) -> dict[str, IndexedBlog]:
    """Return the rows of these blogs, locked, made first for those not seen yet.

    With `forgotten` (account ids), each row also tells in `any_forgotten` whether one of
    those accounts is forgotten: a read of its own less."""
    ids = set(blog_ids)
    accounts = set(forgotten)
    if len(ids) == 1 and len(accounts) <= 1:
        return _blog_locked(*ids, *accounts)
    rows = IndexedBlog.objects.select_for_update().filter(blog_id__in=ids)
    if accounts:
        rows = rows.annotate(
            any_forgotten=Exists(ForgottenAccount.objects.filter(account_id__in=accounts))
        )
    found = {blog.blog_id: blog for blog in rows}
    if len(found) == len(ids):
        return found  # the usual case: every blog has its row already
    IndexedBlog.objects.bulk_create(
        [IndexedBlog(blog_id=i) for i in ids - found.keys()], ignore_conflicts=True
    )
    return {blog.blog_id: blog for blog in rows.all()}


# An event's blog (and its account), the usual case, in a query compiled once (kernel.prepared):
# building and compiling the QuerySet below took most of an indexed event's Python.
_BLOG_LOCKED = PreparedQuery(
    lambda blog_id: IndexedBlog.objects.select_for_update().filter(blog_id=blog_id),
    blog_id=str,
)
_BLOG_LOCKED_FORGOTTEN = PreparedQuery(
    lambda blog_id, account_id: (
        IndexedBlog.objects.select_for_update()
        .filter(blog_id=blog_id)
        .annotate(any_forgotten=Exists(ForgottenAccount.objects.filter(account_id=account_id)))
    ),
    blog_id=str,
    account_id=str,
)


def _blog_locked(blog_id: str, account_id: str | None = None) -> dict[str, IndexedBlog]:
    """_blogs_locked() of one blog and at most one account."""

    def read() -> Sequence[IndexedBlog]:
        if account_id is None:
            return _BLOG_LOCKED(blog_id=blog_id)
        return _BLOG_LOCKED_FORGOTTEN(blog_id=blog_id, account_id=account_id)

    found = read()
    if not found:
        IndexedBlog.objects.bulk_create([IndexedBlog(blog_id=blog_id)], ignore_conflicts=True)
        found = read()
    return {blog.blog_id: blog for blog in found}


def _documents_locked(blog_of: dict[str, IndexedBlog]) -> dict[str, Document]:
    """Return the rows of these entries (entry id -> its blog's row), locked, made first
    (hidden, revision 0) for those not seen yet: two events of one new entry never race
    to insert it."""
    Document.objects.bulk_create(
        [Document(entry_id=entry_id, blog=blog) for entry_id, blog in blog_of.items()],
        ignore_conflicts=True,
    )
    rows = (
        Document.objects.select_for_update()
        .filter(entry_id__in=list(blog_of))
        .only("id", "entry_id", "state", "revision")
    )
    return {document.entry_id: document for document in rows}


# The upsert of _documents_upsert per vendor and number of rows, made once.
_upserts: dict[tuple[str, int], str] = {}


def _documents_upsert(documents: list[Document]) -> int:
    """Insert these entries' rows, or update each existing one unless it is deleted or
    holds a newer revision; return how many were written. One round trip where an INSERT
    of placeholders, a locking SELECT and an UPDATE took three; its SQL made once per
    number of rows, and on PostgreSQL prepared once per connection (kernel.sql.fetch_all)."""
    if not documents:
        return 0
    connection = connections[ALIAS]
    insert, params = insert_rows(documents, connection)
    key = (connection.vendor, len(documents))
    statement = _upserts.get(key)
    if statement is None:
        meta = Document._meta
        column = quoted_columns(Document, connection)
        table = connection.ops.quote_name(meta.db_table)
        changed = ", ".join(
            f"{column(field.name)} = EXCLUDED.{column(field.name)}"
            for field in meta.concrete_fields
            if field.name not in ("id", "entry_id")
        )
        state, revision = column("state"), column("revision")
        # Names from the model's own meta, quoted; every value is a parameter. RETURNING
        # gives a row for each one inserted or updated: what the row count said.
        statement = _upserts.setdefault(
            key,
            f"{insert} ON CONFLICT ({column('entry_id')}) "
            f"DO UPDATE SET {changed} "
            f"WHERE {table}.{state} <> %s AND {table}.{revision} <= EXCLUDED.{revision} "
            f"RETURNING {table}.{column(meta.pk.name)}",
        )
    return len(fetch_all(ALIAS, statement, [*params, State.DELETED.value]))


def _refresh_blog(
    blog: IndexedBlog,
    *,
    path: str,
    title: str,
    url_path: str,
    account_id: str,
    updated_at: datetime,
) -> bool:
    """Take a blog's title as of `updated_at` unless a newer one is known; tell if changed."""
    if blog.deleted or (blog.updated_at is not None and blog.updated_at >= updated_at):
        return False
    blog.path, blog.title, blog.url_path = path, title, url_path
    blog.account_id, blog.updated_at = account_id, updated_at
    return True


def documents_index(*, documents: Sequence[domain.EntryDocument]) -> tuple[int, int]:
    """Index published entries (an event's one, or a page of a reindex); return (indexed,
    skipped). An entry is skipped when a newer revision of it is known, or it, its blog or
    its account was deleted."""
    now = timezone.now()
    newest: dict[str, domain.EntryDocument] = {}
    for document in documents:
        seen = newest.get(document.entry_id)
        if seen is None or document.revision >= seen.revision:
            newest[document.entry_id] = document
    if not newest:
        return 0, 0
    # No savepoint of its own: a handler runs it inside the inbox's transaction, which
    # rolls the batch back should it fail and applies each event again in a savepoint
    # (inbox._apply_batch); one here cost two round trips for each event indexed.
    with transaction.atomic(using=ALIAS, savepoint=False):
        accounts = {d.account_id for d in newest.values()}
        blogs = _blogs_locked((d.blog_id for d in newest.values()), forgotten=accounts)
        forgotten: set[str] = set()
        if any(getattr(blog, "any_forgotten", True) for blog in blogs.values()):
            # Rare: an account of the batch was forgotten; which one(s)?
            forgotten = set(
                ForgottenAccount.objects.filter(account_id__in=accounts).values_list(
                    "account_id", flat=True
                )
            )
        renamed = {}
        for document in sorted(newest.values(), key=lambda d: d.blog_updated_at):
            blog = blogs[document.blog_id]
            if _refresh_blog(
                blog,
                path=document.blog_path,
                title=document.blog_title,
                url_path=document.blog_url_path,
                account_id=document.account_id,
                updated_at=document.blog_updated_at,
            ):
                renamed[blog.pk] = blog
        IndexedBlog.objects.bulk_update(
            list(renamed.values()), ["path", "title", "url_path", "account_id", "updated_at"]
        )
        fresh = [
            Document(
                entry_id=document.entry_id,
                revision=document.revision,
                state=State.VISIBLE,
                blog=blogs[document.blog_id],
                account_id=document.account_id,
                author_name=document.author_name,
                title=domain.index_text(document.title),
                text=domain.index_text(document.text),
                url_path=document.url_path,
                published_at=document.published_at,
                indexed_at=now,
            )
            for document in newest.values()
            if document.account_id not in forgotten and not blogs[document.blog_id].deleted
        ]
        # One statement writes them all: a new entry's row, or a known one's unless it
        # was deleted or holds a newer revision (decided on the row as it is, locked).
        indexed = _documents_upsert(fresh)
    return indexed, len(newest) - indexed


def _document_retire(*, entry_id: str, revision: int, blog_id: str, state: str) -> bool:
    with transaction.atomic(using=ALIAS):
        blog = _blogs_locked([blog_id])[blog_id]
        row = _documents_locked({entry_id: blog})[entry_id]
        if row.state == State.DELETED or row.revision > revision:
            return False
        Document.objects.filter(pk=row.pk).update(
            state=state, revision=revision, indexed_at=timezone.now(), **_CLEARED
        )
    return True


def document_hide(*, entry_id: str, revision: int, blog_id: str) -> bool:
    """Take an unpublished entry out of the results, unless a newer revision is known."""
    return _document_retire(
        entry_id=entry_id, revision=revision, blog_id=blog_id, state=State.HIDDEN
    )


def document_delete(*, entry_id: str, revision: int, blog_id: str) -> bool:
    """Take a deleted entry out of the results for good."""
    return _document_retire(
        entry_id=entry_id, revision=revision, blog_id=blog_id, state=State.DELETED
    )


def blog_refresh(
    *, blog_id: str, path: str, title: str, url_path: str, account_id: str, updated_at: datetime
) -> bool:
    """Show a blog's new title in results, unless a newer one is known or it is deleted."""
    with transaction.atomic(using=ALIAS):
        blog = _blogs_locked([blog_id])[blog_id]
        if not _refresh_blog(
            blog,
            path=path,
            title=title,
            url_path=url_path,
            account_id=account_id,
            updated_at=updated_at,
        ):
            return False
        blog.save(update_fields=["path", "title", "url_path", "account_id", "updated_at"])
    return True


def blog_forget(*, blog_id: str) -> int:
    """Delete a blog's entries from the index and ignore any later news of them."""
    with transaction.atomic(using=ALIAS):
        blog = _blogs_locked([blog_id])[blog_id]
        IndexedBlog.objects.filter(pk=blog.pk).update(deleted=True)
        return Document.objects.filter(blog=blog).update(state=State.DELETED, **_CLEARED)


def account_forget(*, account_id: str) -> int:
    """Delete an account's blogs and entries from the index, for good."""
    with transaction.atomic(using=ALIAS):
        ForgottenAccount.objects.get_or_create(account_id=account_id)
        IndexedBlog.objects.filter(account_id=account_id).update(deleted=True)
        return Document.objects.filter(account_id=account_id).update(
            state=State.DELETED, **_CLEARED
        )


def index_rebuild(*, pages: Iterable[Sequence[domain.EntryDocument]]) -> domain.RebuildReport:
    """Index every published entry the pages give (a full export of the blog), then hide
    the visible entries that neither the export nor an event meanwhile wrote."""
    started = timezone.now()
    indexed = skipped = 0
    for page in pages:
        done, passed = documents_index(documents=page)
        indexed, skipped = indexed + done, skipped + passed
    with transaction.atomic(using=ALIAS):
        removed = Document.objects.filter(state=State.VISIBLE, indexed_at__lt=started).update(
            state=State.HIDDEN, **_CLEARED
        )
    return domain.RebuildReport(indexed=indexed, skipped=skipped, removed=removed)
