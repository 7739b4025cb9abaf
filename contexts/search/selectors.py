"""Read queries of the search context: full-text search over the visible entries."""

from typing import Any

from contexts.search import domain
from contexts.search.backends import backend_for

ALIAS = "search"


def search(*, q: str, offset: int, limit: int) -> list[domain.SearchHit]:
    """Return the visible entries matching every word of `q`, best first, with snippets."""
    domain.check_query(q)
    terms = domain.query_terms(q)
    if not terms or limit <= 0:
        return []
    # Raw rows: Documents with their blog's columns and the marked snippet beside them.
    rows: list[Any] = backend_for(ALIAS).search(terms=terms, offset=max(offset, 0), limit=limit)
    return [
        domain.SearchHit(
            entry_id=row.entry_id,
            title=row.title,
            url_path=row.url_path,
            published_at=row.published_at,
            blog_path=row.blog_path,
            blog_title=row.blog_title,
            blog_url_path=row.blog_url_path,
            author_name=row.author_name,
            snippet=domain.snippet_html(row.marked or ""),
        )
        for row in rows
    ]
