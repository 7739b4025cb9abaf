"""Read queries of the blog context: lists joined up front, lookups that raise blog errors."""

from datetime import UTC, datetime

from django.db import connections, router
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contexts.accounts import api as accounts_api
from contexts.blog import domain
from contexts.blog.models import AccountTombstone, Author, Blog, Entry, PageVersion
from contexts.renderer import api as renderer_api

# Fields a list of entries never shows: lists show excerpts, stored when the entry was
# rendered, and leave the (up to 100,000 characters) bodies in the database.
BODIES = ("body", "body_html")


# Read on every anonymous request for a public page (web.pagecache): SQL of its own,
# since building the query with the ORM cost more than sending it.
_PAGE_VERSION_SQL = "SELECT version, changed_at FROM blog_pageversion WHERE id = 1"


def page_version() -> tuple[str, datetime] | None:
    """Return the public pages' version and when it changed; None when there is none."""
    with connections[router.db_for_read(PageVersion)].cursor() as cursor:
        cursor.execute(_PAGE_VERSION_SQL)
        row = cursor.fetchone()
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


def blog_list_with_entries() -> QuerySet[Blog]:
    """Return the blogs with at least one published entry, newest first, owner joined."""
    # The stored count (kept by every write that publishes or unpublishes, in its
    # transaction): no subquery per blog to build nor to run.
    return blog_list().filter(published_entries__gt=0)


def blog_get(*, path: str) -> Blog:
    """Return the blog at `path`, owner joined; raise BlogNotFound."""
    # Anything that cannot be a path cannot name a blog; checking first also keeps odd
    # input (NUL bytes, very long strings) away from the database.
    if not domain.is_valid_path(path):
        raise domain.BlogNotFound()
    blog = Blog.objects.select_related("owner").filter(path=path).first()
    if blog is None:
        raise domain.BlogNotFound()
    return blog


def author_get_by_name(*, name: str) -> Author:
    """Return the author with this name, ignoring case; raise AuthorNotFound."""
    if (
        not isinstance(name, str)
        or not name
        or len(name) > accounts_api.NAME_MAX_LENGTH
        or "\x00" in name
    ):
        raise domain.AuthorNotFound()
    # Names are unique among live accounts; should a stale author linger, the newest wins.
    author = (
        Author.objects.annotate(name_ci=Lower("name"))
        .filter(name_ci=name.lower())
        .order_by("-created_at", "-id")
        .first()
    )
    if author is None:
        raise domain.AuthorNotFound()
    return author


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
    entries = blog.entries.all()
    if status == domain.PUBLISHED:
        return entries.filter(published_at__isnull=False).order_by("-published_at", "-id")
    if status == domain.DRAFT:
        entries = entries.filter(published_at__isnull=True)
    return entries.order_by(F("published_at").desc(nulls_first=True), "-created_at", "-id")


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
        found = (
            Entry.objects.select_related("blog__owner")
            .filter(blog__path=path, pk=int(entry_id))
            .first()
        )
        if found is not None:
            return found
    blog_get(path=path)  # BlogNotFound first, as blog_get then entry_get would say
    raise domain.EntryNotFound()


def entry_list_published(*, author: Author | None = None) -> QuerySet[Entry]:
    """Return published entries of every blog (or of one author's), newest published first.

    Blog and owner joined; bodies left out (add .defer(None) or .only() to read them).
    """
    entries = Entry.objects.select_related("blog", "blog__owner").filter(published_at__isnull=False)
    if author is not None:
        entries = entries.filter(blog__owner=author)
    return entries.defer(*BODIES).order_by("-published_at", "-id")


def entry_count_published() -> int:
    """Return how many entries are published, in every blog (from the blogs' counts)."""
    return Blog.objects.aggregate(total=Sum("published_entries"))["total"] or 0


def entry_neighbours(*, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """Return the published entries just older and just newer than `entry` in its blog.

    (None, None) for a draft: it has no place among the published ones.
    """
    if entry.is_draft:
        return None, None
    same_blog = Entry.objects.filter(blog_id=entry.blog_id, published_at__isnull=False).only(
        "id", "title", "published_at", "blog_id"
    )
    at, pk = entry.published_at, entry.pk
    # (published_at, id) before or after the entry's, written with a bound on published_at
    # alone that the index (blog, -published_at, -id) starts its scan at: the OR by itself
    # was a filter over every row from the newest on (7 ms in the middle of 10,000).
    older = (
        same_blog.filter(Q(published_at__lt=at) | Q(id__lt=pk), published_at__lte=at)
        .order_by("-published_at", "-id")
        .first()
    )
    newer = (
        same_blog.filter(Q(published_at__gt=at) | Q(id__gt=pk), published_at__gte=at)
        .order_by("published_at", "id")
        .first()
    )
    return older, newer


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
        blog = (
            Blog.objects.select_related("owner")
            .filter(path=blog_path, owner__account_id=account_id)
            .first()
        )
    author = blog.owner if blog is not None else None
    if author is None:
        author = Author.objects.filter(account_id=account_id).first()
    if author is None:
        return ("deleted" if account_is_deleted(account_id=account_id) else None), None, None
    refusal = "revoked" if credentials_generation < author.credentials_generation else None
    return refusal, author, blog


def account_is_deleted(*, account_id: str) -> bool:
    """Tell whether the accounts context announced this account's deletion."""
    return AccountTombstone.objects.filter(account_id=account_id).exists()
