"""The published interface of the blog context: the only module other contexts import."""

from contexts.blog import selectors, services
from contexts.blog.domain import (
    BODY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    ENTRY_TITLE_MAX_LENGTH,
    EXPORT_MAX_LIMIT,
    PATH_MAX_LENGTH,
    PATH_MIN_LENGTH,
    TITLE_MAX_LENGTH,
    AccountContentDeleted,
    AccountGone,
    AuthorInfo,
    AuthorNotFound,
    BlogChanged,
    BlogDeleted,
    BlogError,
    BlogNotFound,
    BlogPathTaken,
    BlogSummary,
    BodyTooLarge,
    EntryChanged,
    EntryDeleted,
    EntryExportPage,
    EntryNotFound,
    EntryPublished,
    EntryRenderFailed,
    EntryRenderPending,
    EntryUnpublished,
    IdempotencyConflict,
    InvalidBlogInput,
    InvalidInput,
    NotOwner,
    PublishedEntry,
)

__all__ = [
    "BODY_MAX_LENGTH",
    "DESCRIPTION_MAX_LENGTH",
    "ENTRY_TITLE_MAX_LENGTH",
    "EXPORT_MAX_LIMIT",
    "PATH_MAX_LENGTH",
    "PATH_MIN_LENGTH",
    "TITLE_MAX_LENGTH",
    "AccountContentDeleted",
    "AccountGone",
    "AuthorInfo",
    "AuthorNotFound",
    "BlogChanged",
    "BlogDeleted",
    "BlogError",
    "BlogNotFound",
    "BlogPathTaken",
    "BlogSummary",
    "BodyTooLarge",
    "EntryChanged",
    "EntryDeleted",
    "EntryExportPage",
    "EntryNotFound",
    "EntryPublished",
    "EntryRenderFailed",
    "EntryRenderPending",
    "EntryUnpublished",
    "IdempotencyConflict",
    "InvalidBlogInput",
    "InvalidInput",
    "NotOwner",
    "PublishedEntry",
    "account_content_delete",
    "author_ensure",
    "blogs_of_account",
    "entries_export",
]


def author_ensure(*, account_id: str, name: str) -> AuthorInfo:
    """Make sure an account has its author record here (on registration or sign-in)."""
    author = services.author_ensure(account_id=account_id, name=name)
    return AuthorInfo(account_id=author.account_id, name=author.name, created_at=author.created_at)


def blogs_of_account(*, account_id: str) -> list[BlogSummary]:
    """Return the blogs an account owns, newest first."""
    return [
        BlogSummary(
            path=blog.path,
            title=blog.title,
            description=blog.description,
            owner_name=blog.owner.name,
            created_at=blog.created_at,
            updated_at=blog.updated_at,
        )
        for blog in selectors.blog_list_by_account(account_id=account_id)
    ]


def account_content_delete(*, account_id: str) -> None:
    """Delete everything an account owns in the blog context (author, blogs, entries)."""
    services.account_content_delete(account_id=account_id)


def entries_export(*, after: str | None = None, limit: int = 500) -> EntryExportPage:
    """Return a page of every published entry, in id order, from the cursor `after` on.

    For rebuilding a projection after data loss (`manage.py search reindex`), never for
    normal operation: projections follow the entry events. Pass the page's `next_after`
    to get the next one; it is None on the last page.
    """
    return selectors.entry_export_page(after=after, limit=limit)
