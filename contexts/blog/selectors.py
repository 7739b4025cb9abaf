"""Read queries of the blog context: lists joined up front, lookups that raise blog errors."""

from datetime import UTC, datetime

from django.db import router
from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contexts.accounts import api as accounts_api
from contexts.blog import domain
from contexts.blog.models import AccountTombstone, Author, Blog, Entry
from contexts.kernel.prepared import PreparedQuery, Window
from contexts.kernel.sql import fetch_one
from contexts.renderer import api as renderer_api

# Fields a list of entries never shows: lists show excerpts, stored when the entry was
# rendered, and leave the (up to 100,000 characters) bodies in the database.
BODIES = ("body", "body_html")


# Read on every anonymous request for a public page (web.pagecache): SQL of its own,
# since building the query with the ORM cost more than sending it.
_PAGE_VERSION_SQL = "SELECT version, changed_at FROM blog_pageversion WHERE id = 1"


def page_version() -> tuple[str, datetime] | None:
    """Return the public pages' version and when it changed; None when there is none."""
    row = _one_row(_PAGE_VERSION_SQL)
    if row is None:
        return None
    version, changed_at = row
    if isinstance(changed_at, str):  # SQLite keeps text
        changed_at = parse_datetime(changed_at)
    if timezone.is_naive(changed_at):
        changed_at = changed_at.replace(tzinfo=UTC)
    return version, changed_at


def blog_list() -> QuerySet[Blog]:
    """Return every blog, newest first, with its owner joined."""
    return Blog.objects.select_related("owner").order_by("-created_at", "-id")


def blog_list_by_owner(*, author: Author) -> QuerySet[Blog]:
    """Return an author's blogs, newest first, with the owner joined."""
    return blog_list().filter(owner=author)


def blog_window_by_owner(*, author: Author) -> Window[Blog]:
    """blog_list_by_owner's rows, to slice a page from."""
    return Window(
        _BLOGS_OF,
        count=lambda: _count("SELECT COUNT(*) FROM blog_blog WHERE owner_id = %s", author.pk),
        owner_id=author.pk,
    )


_BLOGS_OF = PreparedQuery(
    lambda owner_id: blog_list().filter(owner_id=owner_id), window=True, owner_id=int
)


def blog_list_with_entries() -> QuerySet[Blog]:
    """Return the blogs with at least one published entry, newest first, owner joined."""
    # The stored count (kept by every write that publishes or unpublishes, in its
    # transaction): no subquery per blog to build nor to run.
    return blog_list().filter(published_entries__gt=0)


def blog_window_with_entries() -> Window[Blog]:
    """blog_list_with_entries's rows, to slice a page from, with the fields of CARD."""
    return Window(
        _BLOGS_WITH_ENTRIES,
        count=lambda: _count("SELECT COUNT(*) FROM blog_blog WHERE published_entries > 0"),
    )


# What a card of those lists shows (the home page's, /blogs): read its fields alone,
# each read time being parsed (issue 15).
CARD = ("path", "title", "description", "created_at", "owner__name")
_BLOGS_WITH_ENTRIES = PreparedQuery(lambda: blog_list_with_entries().only(*CARD), window=True)


def blog_get(*, path: str) -> Blog:
    """Return the blog at `path`, owner joined; raise BlogNotFound."""
    # Anything that cannot be a path cannot name a blog; checking first also keeps odd
    # input (NUL bytes, very long strings) away from the database.
    if not domain.is_valid_path(path):
        raise domain.BlogNotFound()
    found = _BLOG_AT(path=path)
    if not found:
        raise domain.BlogNotFound()
    return found[0]


# The reads of every public page and API read, compiled once (kernel.prepared): building
# their QuerySets cost more Python than anything else a cold page does (issue 15).
_BLOG_AT = PreparedQuery(
    lambda path: Blog.objects.select_related("owner").filter(path=path), path=str
)


def author_get_by_name(*, name: str) -> Author:
    """Return the author with this name, ignoring case; raise AuthorNotFound."""
    if (
        not isinstance(name, str)
        or not name
        or len(name) > accounts_api.NAME_MAX_LENGTH
        or "\x00" in name
    ):
        raise domain.AuthorNotFound()
    found = _AUTHOR_NAMED(name_ci=name.lower())
    if not found:
        raise domain.AuthorNotFound()
    return found[0]


# Names are unique among live accounts; should a stale author linger, the newest wins.
_AUTHOR_NAMED = PreparedQuery(
    lambda name_ci: (
        Author.objects.annotate(name_ci=Lower("name"))
        .filter(name_ci=name_ci)
        .order_by("-created_at", "-id")[:1]
    ),
    name_ci=str,
)


def author_get_by_account(*, account_id: str) -> Author | None:
    """Return the author of an account, or None when it has not written here yet."""
    if not isinstance(account_id, str) or "\x00" in account_id:
        return None
    return Author.objects.filter(account_id=account_id).first()


def entry_list(*, blog: Blog, status: str = domain.PUBLISHED) -> QuerySet[Entry]:
    """Return a blog's entries of `status` ("published", "draft" or "all"), each with `blog`
    as its blog (the very object: its owner too, when it was joined), without a join.

    Published entries come newest published first; drafts, newest first, before them.
    """
    # Through the blog's related manager, every row gets `blog` itself: joining the blog
    # and its owner again cost two model instances per row (issue 15's profile).
    return _of_status(blog.entries.all(), status)


def _of_status(entries: QuerySet[Entry], status: str) -> QuerySet[Entry]:
    if status == domain.PUBLISHED:
        return entries.filter(published_at__isnull=False).order_by("-published_at", "-id")
    if status == domain.DRAFT:
        entries = entries.filter(published_at__isnull=True)
    return entries.order_by(F("published_at").desc(nulls_first=True), "-created_at", "-id")


def entry_window(
    *, blog: Blog, status: str = domain.PUBLISHED, bodies: bool = True
) -> Window[Entry]:
    """entry_list's rows to slice a page from (`rows[start:stop]`), each slice one
    prepared query; without `bodies`, the rows leave them in the database. The published
    ones are counted by the blog's stored count."""
    return Window(
        _ENTRY_WINDOWS[status, bodies],
        count=(lambda: blog.published_entries) if status == domain.PUBLISHED else None,
        known={"blog": blog},
        blog_id=blog.pk,
    )


def _entry_window(status: str, bodies: bool) -> PreparedQuery[Entry]:
    return PreparedQuery(
        lambda blog_id: _of_status(Entry.objects.filter(blog_id=blog_id), status).defer(
            *(() if bodies else BODIES)
        ),
        window=True,
        blog_id=int,
    )


_ENTRY_WINDOWS = {
    (status, bodies): _entry_window(status, bodies)
    for status in domain.ENTRY_LIST_STATUSES
    for bodies in (True, False)
}


def entry_get(*, blog: Blog, entry_id: str, include_drafts: bool = False) -> Entry:
    """Return the entry `entry_id` of `blog`; raise EntryNotFound (also for odd ids).

    A draft is found only with `include_drafts` (for its owner); to anyone else it does
    not exist.
    """
    if not domain.is_valid_entry_id(entry_id):
        raise domain.EntryNotFound()
    entries = entry_list(blog=blog, status="all" if include_drafts else domain.PUBLISHED)
    found = entries.filter(pk=int(entry_id)).first()
    if found is None:
        raise domain.EntryNotFound()
    return found


def entry_get_at(*, path: str, entry_id: str) -> Entry:
    """Return the entry `entry_id` of the blog at `path`, draft or not, with its blog and
    the blog's owner joined: one query where blog_get and entry_get take two. Raise
    BlogNotFound when there is no such blog, EntryNotFound when it has no such entry.

    The caller decides who may see a draft (entry.is_draft).
    """
    if domain.is_valid_path(path) and domain.is_valid_entry_id(entry_id):
        found = _ENTRY_AT(path=path, entry_id=int(entry_id))
        if found:
            return found[0]
    blog_get(path=path)  # BlogNotFound first, as blog_get then entry_get would say
    raise domain.EntryNotFound()


_ENTRY_AT = PreparedQuery(
    lambda path, entry_id: Entry.objects.select_related("blog__owner").filter(
        blog__path=path, pk=entry_id
    ),
    path=str,
    entry_id=int,
)


def entry_list_published(*, author: Author | None = None) -> QuerySet[Entry]:
    """Return published entries of every blog (or of one author's), newest published first.

    Blog and owner joined; bodies left out (add .defer(None) or .only() to read them).
    """
    entries = Entry.objects.select_related("blog", "blog__owner").filter(published_at__isnull=False)
    if author is not None:
        entries = entries.filter(blog__owner=author)
    return entries.defer(*BODIES).order_by("-published_at", "-id")


def entry_window_published(*, only: tuple[str, ...]) -> Window[Entry]:
    """entry_list_published's rows with the fields in `only`, to slice a page from."""
    query = _PUBLISHED_WINDOWS.get(only)
    if query is None:
        query = _PUBLISHED_WINDOWS[only] = PreparedQuery(
            lambda: entry_list_published().only(*only), window=True
        )
    return Window(query, count=entry_count_published)


# One per distinct `only` of the callers (a handful, written in the code).
_PUBLISHED_WINDOWS: dict[tuple[str, ...], PreparedQuery[Entry]] = {}


def entry_count_published() -> int:
    """Return how many entries are published, in every blog (from the blogs' counts)."""
    return _count("SELECT COALESCE(SUM(published_entries), 0) FROM blog_blog")


def _count(sql: str, *params: int) -> int:
    """Run a counting statement of the blogs' table: SQL of its own, as page_version's,
    since the ORM cost 0.5 ms to build a count or a sum that PostgreSQL answers in 0.05."""
    row = _one_row(sql, *params)
    assert row is not None  # a count or a sum answers one row
    return int(row[0])


def _one_row(sql: str, *params: int) -> tuple | None:
    """Run a statement of SQL of its own on the blog's database; return its first row."""
    return fetch_one(router.db_for_read(Blog), sql, params)


def entry_neighbours(*, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """Return the published entries just older and just newer than `entry` in its blog.

    (None, None) for a draft: it has no place among the published ones.
    """
    if entry.is_draft:
        return None, None
    assert entry.published_at is not None
    place = (entry.published_at, entry.pk)
    older = newer = None
    for row in _NEIGHBOURS(blog_id=entry.blog_id, at=entry.published_at, pk=entry.pk):
        if (row.published_at, row.pk) < place:
            older = row
        else:
            newer = row
    return older, newer


def _same_blog(blog_id: int) -> QuerySet[Entry]:
    return Entry.objects.filter(blog_id=blog_id, published_at__isnull=False).only(
        "id", "title", "published_at", "blog_id"
    )


def _neighbours(blog_id: int, at: datetime, pk: int) -> QuerySet[Entry]:
    # (published_at, id) before or after the entry's, written with a bound on published_at
    # alone that the index (blog, -published_at, -id) starts its scan at: the OR by itself
    # was a filter over every row from the newest on (7 ms in the middle of 10,000).
    older = (
        _same_blog(blog_id)
        .filter(Q(published_at__lt=at) | Q(id__lt=pk), published_at__lte=at)
        .order_by("-published_at", "-id")
        .values("id")[:1]
    )
    newer = (
        _same_blog(blog_id)
        .filter(Q(published_at__gt=at) | Q(id__gt=pk), published_at__gte=at)
        .order_by("published_at", "id")
        .values("id")[:1]
    )
    # Both in one statement (SQLite refuses a UNION of limited selects).
    return _same_blog(blog_id).filter(Q(id=Subquery(older)) | Q(id=Subquery(newer)))


_NEIGHBOURS = PreparedQuery(_neighbours, blog_id=int, at=datetime, pk=int)


def entry_export_page(*, after: str | None, limit: int) -> domain.EntryExportPage:
    """Return up to `limit` published entries with an id above `after`, in id order.

    Keyset paging: each page is one indexed range scan however far the export has gone,
    and entries published or deleted meanwhile neither shift nor repeat the pages.
    """
    if after is not None and not domain.is_valid_entry_id(after):
        raise domain.InvalidBlogInput(fields={"after": ["Use the cursor of the previous page."]})
    if not isinstance(limit, int) or not 1 <= limit <= domain.EXPORT_MAX_LIMIT:
        raise domain.InvalidBlogInput(
            fields={"limit": [f"Use a number of 1-{domain.EXPORT_MAX_LIMIT}."]}
        )
    entries = (
        Entry.objects.select_related("blog", "blog__owner")
        .filter(published_at__isnull=False)
        .defer("body")
        .order_by("id")
    )
    if after is not None:
        entries = entries.filter(id__gt=int(after))
    rows = list(entries[: limit + 1])
    page = [_published_entry(entry) for entry in rows[:limit]]
    next_after = page[-1].entry_id if len(rows) > limit else None
    return domain.EntryExportPage(entries=page, next_after=next_after)


def _published_entry(entry: Entry) -> domain.PublishedEntry:
    assert entry.published_at is not None  # the export reads published entries only
    return domain.PublishedEntry(
        **domain.published_entry_fields(
            entry_id=entry.pk,
            revision=entry.revision,
            blog=entry.blog,
            title=entry.title,
            text=renderer_api.plain_text(entry.body_html).text,
            published_at=entry.published_at,
        )
    )


def token_author(
    *, account_id: str, credentials_generation: int, blog_path: str | None = None
) -> tuple[str | None, Author | None, Blog | None]:
    """Say why a token of this account and generation must be refused, or None, and
    return the account's author here (None before its first write).

    "deleted" when the account was deleted, "revoked" when it was issued before a
    password change. One query while the account has its author here (the usual case).
    With `blog_path`, the blog there too, owner joined, when this account owns it (None
    otherwise): the same one query for a write to one's own blog, which needs it next.
    """
    blog = None
    if blog_path is not None and domain.is_valid_path(blog_path):
        owned = _BLOG_OWNED(path=blog_path, account_id=account_id)
        blog = owned[0] if owned else None
    author = blog.owner if blog is not None else None
    if author is None:
        found = _AUTHOR_OF(account_id=account_id)
        author = found[0] if found else None
    if author is None:
        return ("deleted" if account_is_deleted(account_id=account_id) else None), None, None
    refusal = "revoked" if credentials_generation < author.credentials_generation else None
    return refusal, author, blog


# Every request with a token runs one of these (compiled once: kernel.prepared).
_BLOG_OWNED = PreparedQuery(
    lambda path, account_id: (
        Blog.objects.select_related("owner")
        .filter(path=path, owner__account_id=account_id)
        .order_by("pk")[:1]
    ),
    path=str,
    account_id=str,
)
_AUTHOR_OF = PreparedQuery(
    lambda account_id: Author.objects.filter(account_id=account_id).order_by("pk")[:1],
    account_id=str,
)


def account_is_deleted(*, account_id: str) -> bool:
    """Tell whether the accounts context announced this account's deletion."""
    return AccountTombstone.objects.filter(account_id=account_id).exists()
