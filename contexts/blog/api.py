"""The published interface of the blog context: the only module other contexts import.

Other contexts learn of the blog through its events; the one call, `entries_export`,
rebuilds a projection after data loss (`manage.py search reindex`). `BlogApi` is the
interface; the composition root binds `seam` to this context's own code, or to its
service over HTTP when BLOG_URL is set.
"""

from typing import Protocol

from contexts.blog.domain import (
    EXPORT_MAX_LIMIT,
    AccountContentDeleted,
    BlogChanged,
    BlogDeleted,
    EntryChanged,
    EntryDeleted,
    EntryExportPage,
    EntryPublished,
    EntryRenderPending,
    EntryUnpublished,
    InvalidBlogInput,
    PublishedEntry,
)
from contexts.kernel.seams import Seam, idempotent

__all__ = [
    "EXPORT_MAX_LIMIT",
    "AccountContentDeleted",
    "BlogApi",
    "BlogChanged",
    "BlogDeleted",
    "EntryChanged",
    "EntryDeleted",
    "EntryExportPage",
    "EntryPublished",
    "EntryRenderPending",
    "EntryUnpublished",
    "InvalidBlogInput",
    "PublishedEntry",
    "entries_export",
    "seam",
]


class BlogApi(Protocol):
    """Authors, blogs and entries; other contexts follow them through the blog's events."""

    @idempotent
    def entry_export_page(self, *, after: str | None, limit: int) -> EntryExportPage:
        """Return up to `limit` published entries with an id above `after`, in id order."""
        ...


seam: Seam[BlogApi] = Seam("blog", BlogApi)


def entries_export(*, after: str | None = None, limit: int = 500) -> EntryExportPage:
    """Return a page of every published entry, in id order, from the cursor `after` on.

    For rebuilding a projection after data loss (`manage.py search reindex`), never for
    normal operation: projections follow the entry events. Pass the page's `next_after`
    to get the next one; it is None on the last page.
    """
    return seam.api.entry_export_page(after=after, limit=limit)
