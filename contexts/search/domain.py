"""Pure rules of the search context: queries, snippets, errors and DTOs (no Django)."""

import html
import re
from dataclasses import dataclass
from datetime import datetime

from contexts.kernel import errors

QUERY_MAX_LENGTH = 200
# A query is cut down to its words; more than this many only slows the database down.
MAX_TERMS = 16
TERM_MAX_LENGTH = 64
# The database marks matched words in a snippet with these two characters, which the
# indexed text never holds (index_text removes them): the snippet is escaped with them
# in place, and only then do they become <mark> and </mark>.
MARK_START = "\x02"
MARK_END = "\x03"
_WORD = re.compile(r"\w+")
_UNINDEXED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


# --- errors -------------------------------------------------------------------------


class SearchError(errors.ContextError):
    """Base of every error the search context reports."""

    code = "search_error"


class InvalidQuery(SearchError, errors.InvalidInput):
    code = "invalid_query"
    default_detail = f"Search for 1-{QUERY_MAX_LENGTH} characters."

    def __init__(self, detail: str | None = None) -> None:
        detail = detail or self.default_detail
        super().__init__(detail, fields={"q": [detail]})


class FullTextSearchUnavailable(SearchError, errors.Unavailable):
    """The database cannot search full text (an SQLite built without FTS5)."""

    code = "search_unavailable"
    default_detail = "Search is not available on this database."


# --- queries and snippets -------------------------------------------------------------


def check_query(q: object) -> str:
    """Return `q` when it is a query of 1-200 characters that is not blank; raise InvalidQuery."""
    if not isinstance(q, str) or not q.strip():
        raise InvalidQuery(f"Type 1-{QUERY_MAX_LENGTH} characters to search for.")
    if len(q) > QUERY_MAX_LENGTH:
        raise InvalidQuery(
            f"A search is at most {QUERY_MAX_LENGTH} characters long; this one has {len(q)}."
        )
    return q


def query_terms(q: str) -> list[str]:
    """Return the words of a query, lower-cased, each once, in order.

    Only letters, digits and underscores count: quotes, operators, `*`, parentheses and
    control characters are never passed to a full-text engine's query syntax, so no
    query can be a syntax error there. A query of punctuation alone has no terms.
    """
    terms: list[str] = []
    for word in _WORD.findall(q.lower()):
        word = word[:TERM_MAX_LENGTH]
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def index_text(value: str) -> str:
    """Return `value` as the index keeps it: without control characters (nor the marks)."""
    return _UNINDEXED.sub("", value)


def snippet_html(marked: str) -> str:
    """Return a snippet the database marked with MARK_START/MARK_END as safe HTML.

    The text is escaped first, then each marked run is wrapped in <mark>: nothing of the
    entry's text can become markup.
    """
    escaped = html.escape(marked, quote=True)
    wrapped = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return wrapped.replace(MARK_START, "").replace(MARK_END, "")


# --- DTOs ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EntryDocument:
    """A published entry as the index takes it (the fields of the blog's entry events)."""

    entry_id: str
    revision: int
    blog_id: str
    blog_path: str
    blog_title: str
    blog_updated_at: datetime
    blog_url_path: str
    account_id: str
    author_name: str
    title: str
    text: str
    url_path: str
    published_at: datetime


@dataclass(frozen=True)
class SearchHit:
    """One found entry, with its snippet: HTML-safe, matched words in <mark>."""

    entry_id: str
    title: str
    url_path: str
    published_at: datetime
    blog_path: str
    blog_title: str
    blog_url_path: str
    author_name: str
    snippet: str


@dataclass(frozen=True)
class RebuildReport:
    """What `manage.py search reindex` did."""

    indexed: int
    skipped: int
    removed: int
