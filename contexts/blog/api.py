"""The published interface of the blog context: the only module other contexts import."""

from contexts.blog import selectors, services
from contexts.blog.domain import (
    BODY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    ENTRY_TITLE_MAX_LENGTH,
    PATH_MAX_LENGTH,
    PATH_MIN_LENGTH,
    TITLE_MAX_LENGTH,
    AccountGone,
    AuthorInfo,
    AuthorNotFound,
    BlogError,
    BlogNotFound,
    BlogPathTaken,
    BlogSummary,
    BodyTooLarge,
    EntryNotFound,
    EntryRenderFailed,
    EntryRenderPending,
    IdempotencyConflict,
    InvalidBlogInput,
    InvalidInput,
    NotOwner,
)

__all__ = [
    "BODY_MAX_LENGTH",
    "DESCRIPTION_MAX_LENGTH",
    "ENTRY_TITLE_MAX_LENGTH",
    "PATH_MAX_LENGTH",
    "PATH_MIN_LENGTH",
    "TITLE_MAX_LENGTH",
    "AccountGone",
    "AuthorInfo",
    "AuthorNotFound",
    "BlogError",
    "BlogNotFound",
    "BlogPathTaken",
    "BlogSummary",
    "BodyTooLarge",
    "EntryNotFound",
    "EntryRenderFailed",
    "EntryRenderPending",
    "IdempotencyConflict",
    "InvalidBlogInput",
    "InvalidInput",
    "NotOwner",
    "account_content_delete",
    "author_ensure",
    "blogs_of_account",
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
