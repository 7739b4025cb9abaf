"""The published interface of the search context: the only module other contexts import."""

from collections.abc import Iterable, Sequence

from contexts.search import selectors, services
from contexts.search.domain import (
    QUERY_MAX_LENGTH,
    EntryDocument,
    InvalidQuery,
    RebuildReport,
    SearchError,
    SearchHit,
)

__all__ = [
    "QUERY_MAX_LENGTH",
    "EntryDocument",
    "InvalidQuery",
    "RebuildReport",
    "SearchError",
    "SearchHit",
    "index_rebuild",
    "search",
]


def search(*, q: str, offset: int = 0, limit: int = 10) -> list[SearchHit]:
    """Return published entries matching every word of `q`, best match first.

    Raises InvalidQuery unless `q` has 1-200 characters and is not blank. Any text is a
    valid query: operators and quotes are read as the words around them.
    """
    return selectors.search(q=q, offset=offset, limit=limit)


def index_rebuild(*, pages: Iterable[Sequence[EntryDocument]]) -> RebuildReport:
    """Rebuild the index from a full export of the published entries, a page at a time.

    For recovering after data loss (`manage.py search reindex`), never for normal
    operation: the index follows the blog's events. Safe while events keep arriving.
    """
    return services.index_rebuild(pages=pages)
