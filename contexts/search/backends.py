"""Full-text search in the database's own engine: one interface, a backend per vendor.

The backend is chosen by the engine of the search alias: PostgreSQL full-text search
(tsvector, GIN, ts_rank_cd, ts_headline) or SQLite FTS5 (bm25, snippet). Both take the
query as a list of plain words (domain.query_terms), never as user-written syntax, and
mark matches with domain.MARK_START/MARK_END (each selects the same columns, by the
same names, the marked snippet as "marked"), which domain.snippet_html turns into safe
HTML. Their index is made by migration 0002, with the same text configuration.
"""

from collections.abc import Callable
from typing import Protocol

from django.db import connections

from contexts.search.domain import MARK_END, MARK_START, FullTextSearchUnavailable
from contexts.search.models import Document

VISIBLE = Document.State.VISIBLE.value


class SearchBackend(Protocol):
    """Find visible documents matching every term, best first, with a marked snippet."""

    def search(self, *, terms: list[str], offset: int, limit: int) -> list[Document]: ...


class PostgresBackend:
    """PostgreSQL: the title weighs 'A', the text 'B'; ranked by cover density."""

    # As in migration 0002: the stemming both the index and the queries use.
    config = "english"
    # Matched words, shown in up to two fragments of about 35 words.
    headline_options = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
        'ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "'
    )

    def __init__(self, alias: str):
        self.alias = alias

    def search(self, *, terms: list[str], offset: int, limit: int) -> list[Document]:
        # Rank every match, keep one page, and only then make the page's headlines
        # (ts_headline reads the whole text: the costly part).
        sql = """
            SELECT d.id, d.entry_id, d.title, d.url_path, d.published_at, d.author_name,
                b.path AS blog_path, b.title AS blog_title, b.url_path AS blog_url_path,
                ts_headline(%s::regconfig, d.text, ranked.query, %s) AS marked
            FROM (
                SELECT d.id, query, ts_rank_cd(d.search_vector, query) AS rank
                FROM search_document d, plainto_tsquery(%s::regconfig, %s) AS query
                WHERE d.search_vector @@ query AND d.state = %s
                ORDER BY rank DESC, d.published_at DESC, d.id DESC
                LIMIT %s OFFSET %s
            ) AS ranked
            JOIN search_document d ON d.id = ranked.id
            JOIN search_indexedblog b ON b.id = d.blog_id
            ORDER BY ranked.rank DESC, d.published_at DESC, d.id DESC
        """
        params = [
            self.config,
            self.headline_options,
            self.config,
            " ".join(terms),
            VISIBLE,
            limit,
            offset,
        ]
        return list(Document.objects.using(self.alias).raw(sql, params))


class SqliteBackend:
    """SQLite FTS5: bm25 with the title weighing ten times the text."""

    def __init__(self, alias: str):
        self.alias = alias

    def search(self, *, terms: list[str], offset: int, limit: int) -> list[Document]:
        # Each term a quoted FTS5 string: whatever it holds, never an operator, and all
        # of them must match.
        match = " ".join(f'"{term}"' for term in terms)
        sql = """
            SELECT d.id, d.entry_id, d.title, d.url_path, d.published_at, d.author_name,
                b.path AS blog_path, b.title AS blog_title, b.url_path AS blog_url_path,
                snippet(search_document_fts, 1, %s, %s, '…', 32) AS marked
            FROM search_document_fts
            JOIN search_document d ON d.id = search_document_fts.rowid
            JOIN search_indexedblog b ON b.id = d.blog_id
            WHERE search_document_fts MATCH %s AND d.state = %s
            ORDER BY bm25(search_document_fts, 10.0, 1.0), d.published_at DESC, d.id DESC
            LIMIT %s OFFSET %s
        """
        params = [MARK_START, MARK_END, match, VISIBLE, limit, offset]
        return list(Document.objects.using(self.alias).raw(sql, params))


_BACKENDS: dict[str, Callable[[str], SearchBackend]] = {
    "postgresql": PostgresBackend,
    "sqlite": SqliteBackend,
}


def backend_for(alias: str) -> SearchBackend:
    """Return the backend for the engine of database `alias`."""
    vendor = connections[alias].vendor
    try:
        return _BACKENDS[vendor](alias)
    except KeyError:
        raise FullTextSearchUnavailable(
            f"Search has no full-text backend for {vendor} databases."
        ) from None
