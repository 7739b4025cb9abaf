"""Pure rules of the blog context: field limits, validation, errors and DTOs (no Django)."""

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from contexts.kernel import errors
from contexts.kernel.events import Event
from contexts.kernel.text import text_problem

# The limits of this context, each defined here once: the models, the forms, the
# serializers and the OpenAPI document read them. (An author's name is an account name:
# its limit is the accounts context's, read through its api.)
PATH_MIN_LENGTH = 3
PATH_MAX_LENGTH = 64
PATH_PATTERN = re.compile(f"[a-z0-9][a-z0-9-]{{{PATH_MIN_LENGTH - 1},{PATH_MAX_LENGTH - 1}}}")
PATH_MESSAGE = (
    f"Use {PATH_MIN_LENGTH}-{PATH_MAX_LENGTH} characters of a-z, 0-9 and '-', "
    "starting with a letter or digit."
)
TITLE_MAX_LENGTH = 254
DESCRIPTION_MAX_LENGTH = 512
ENTRY_TITLE_MAX_LENGTH = 500
BODY_MAX_LENGTH = 100_000
# Another context's ids (accounts), held as plain values: room for any opaque id.
ACCOUNT_ID_MAX_LENGTH = 64
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = re.compile(f"[\\x20-\\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}")
IDEMPOTENCY_KEY_MESSAGE = f"Use 1-{IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters."
# Entry ids are BigAutoField primary keys, written as Python writes them: no leading
# zero (one entry, one address: "05" is not entry 5), nothing longer than 18 digits.
ENTRY_ID_PATTERN = re.compile(r"[1-9][0-9]{0,17}")
# An entry is a draft (seen by its owner only) until it is published.
DRAFT = "draft"
PUBLISHED = "published"
ENTRY_STATUSES = (DRAFT, PUBLISHED)
# What an owner may ask a list of entries for (`?status=`).
ENTRY_LIST_STATUSES = (*ENTRY_STATUSES, "all")
# The most entries one page of entries_export() holds.
EXPORT_MAX_LIMIT = 1000


# --- errors -------------------------------------------------------------------------


class BlogError(errors.ContextError):
    """Base of every error the blog context reports."""

    code = "blog_error"


class BlogNotFound(BlogError, errors.NotFound):
    code = "blog_not_found"
    default_detail = "No blog has this path."


class EntryNotFound(BlogError, errors.NotFound):
    code = "entry_not_found"
    # Said of a draft too, to anyone but its owner: its existence is not disclosed.
    default_detail = "No published entry has this id in this blog."


class AuthorNotFound(BlogError, errors.NotFound):
    code = "author_not_found"
    default_detail = "No author has this name."


class BlogPathTaken(BlogError, errors.Conflict):
    code = "path_taken"
    default_detail = "A blog with this path already exists."


class NotOwner(BlogError, errors.PermissionDenied):
    code = "not_owner"
    default_detail = "Only the owner of this blog may change it."


class InvalidBlogInput(BlogError, errors.InvalidInput):
    """Input broke a rule of the blog context; `fields` names each field."""

    code = "invalid"


class BodyTooLarge(BlogError, errors.TooLarge):
    code = "too_large"
    default_detail = f"The body is longer than {BODY_MAX_LENGTH} characters."


class IdempotencyConflict(BlogError, errors.Conflict):
    code = "idempotency_conflict"
    default_detail = (
        "This Idempotency-Key was already used with a different request; use a new key."
    )


class EntryRenderFailed(BlogError, errors.Unavailable):
    """The renderer failed or ran out of time; the entry keeps its escaped body."""

    code = "render_failed"
    default_detail = "The entry could not be rendered yet."


class AccountGone(BlogError, errors.NotAuthenticated):
    code = "account_deleted"
    default_detail = "This account has been deleted."


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EntryRenderPending(Event):
    """An entry was saved without its HTML; a handler renders it, retried until it works."""

    type_name = "blog.EntryRenderPending.v1"

    entry_id: str


# What a reader-facing projection (search) needs to show a published entry without
# asking the blog: ids, texts, where its pages are, who wrote it. The same fields make
# the EntryPublished and EntryChanged events and the rows of entries_export().


@dataclass(frozen=True, kw_only=True)
class _PublishedEntryEvent(Event):
    """Fields of a published entry as it is now (a base: not an event type of its own)."""

    entry_id: str
    # Raised by every change of the entry: keep the highest one seen.
    revision: int
    blog_id: str
    blog_path: str
    blog_title: str
    # The blog's updated_at when blog_title was read: the newest title wins.
    blog_updated_at: datetime
    blog_url_path: str
    account_id: str
    author_name: str
    title: str
    # The rendered body as plain text, on one line (renderer_api.plain_text).
    text: str
    url_path: str
    published_at: datetime


@dataclass(frozen=True, kw_only=True)
class EntryPublished(_PublishedEntryEvent):
    """An entry became visible to readers (created published, or a draft published)."""

    type_name = "blog.EntryPublished.v1"


@dataclass(frozen=True, kw_only=True)
class EntryChanged(_PublishedEntryEvent):
    """A published entry changed: its title, its body, or its HTML once rendered."""

    type_name = "blog.EntryChanged.v1"


@dataclass(frozen=True, kw_only=True)
class EntryUnpublished(Event):
    """A published entry went back to draft: readers no longer see it."""

    type_name = "blog.EntryUnpublished.v1"

    entry_id: str
    revision: int
    blog_id: str


@dataclass(frozen=True, kw_only=True)
class EntryDeleted(Event):
    """An entry was deleted (by an operator); it never comes back."""

    type_name = "blog.EntryDeleted.v1"

    entry_id: str
    revision: int
    blog_id: str


@dataclass(frozen=True, kw_only=True)
class BlogChanged(Event):
    """A blog's title or description changed; `updated_at` orders two changes."""

    type_name = "blog.BlogChanged.v1"

    blog_id: str
    path: str
    title: str
    url_path: str
    account_id: str
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class BlogDeleted(Event):
    """A blog and all its entries were deleted; blog ids are never reused."""

    type_name = "blog.BlogDeleted.v1"

    blog_id: str
    path: str


@dataclass(frozen=True, kw_only=True)
class AccountContentDeleted(Event):
    """Everything an account had in the blog context (blogs, entries) was deleted."""

    type_name = "blog.AccountContentDeleted.v1"

    account_id: str


# --- DTOs published through api.py ---------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PublishedEntry:
    """A published entry as entries_export() gives it: the fields of EntryPublished."""

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
class EntryExportPage:
    """One page of entries_export(): its entries, and the cursor of the next page (or None)."""

    entries: list[PublishedEntry]
    next_after: str | None


@dataclass(frozen=True)
class RenderedBody:
    """An entry's body as it was rendered: its HTML (None when rendering failed), and the
    pages whose title or card it shows."""

    entry_id: int
    body: str
    html: str | None
    link_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredResponse:
    """An HTTP answer kept for an Idempotency-Key, replayed as it was first sent."""

    status: int
    body: dict[str, Any]
    location: str
    replayed: bool = False


# --- validation ----------------------------------------------------------------------


def is_valid_path(path: object) -> bool:
    """Tell whether `path` has the shape of a blog path."""
    return isinstance(path, str) and PATH_PATTERN.fullmatch(path) is not None


def is_valid_entry_id(entry_id: object) -> bool:
    """Tell whether `entry_id` could name an entry (a decimal number)."""
    return isinstance(entry_id, str) and ENTRY_ID_PATTERN.fullmatch(entry_id) is not None


def is_valid_idempotency_key(key: object) -> bool:
    """Tell whether `key` is 1-IDEMPOTENCY_KEY_MAX_LENGTH printable ASCII characters."""
    return isinstance(key, str) and IDEMPOTENCY_KEY_PATTERN.fullmatch(key) is not None


def _check_text(
    problems: dict[str, list[str]],
    field: str,
    value: object,
    *,
    max_length: int,
    required: bool,
    multiline: bool = False,
) -> None:
    if not isinstance(value, str):
        problems[field] = ["Must be a string."]
        return
    # The kernel's character rule: no control or bidi characters; NUL and lone
    # surrogates cannot be stored at all.
    problem = text_problem(value, multiline=multiline)
    if problem:
        problems[field] = [problem]
    elif required and not value.strip():
        problems[field] = ["This field may not be blank."]
    elif len(value) > max_length:
        problems[field] = [f"Ensure this field has no more than {max_length} characters."]


def blog_problems(
    *, path: object = None, title: object = None, description: object = None
) -> dict[str, list[str]]:
    """Return field messages for the blog fields given (None means "not given")."""
    problems: dict[str, list[str]] = {}
    if path is not None and not is_valid_path(path):
        problems["path"] = [PATH_MESSAGE]
    if title is not None:
        _check_text(problems, "title", title, max_length=TITLE_MAX_LENGTH, required=True)
    if description is not None:
        _check_text(
            problems,
            "description",
            description,
            max_length=DESCRIPTION_MAX_LENGTH,
            required=False,
            multiline=True,
        )
    return problems


def check_blog(*, path: object = None, title: object = None, description: object = None) -> None:
    """Raise InvalidBlogInput naming each blog field that breaks a rule."""
    problems = blog_problems(path=path, title=title, description=description)
    if problems:
        raise InvalidBlogInput(fields=problems)


def check_entry(*, title: object = None, body: object = None, status: object = None) -> None:
    """Raise BodyTooLarge or InvalidBlogInput for entry fields that break a rule.

    A body may be empty while the entry is a draft; publishing one is refused (see
    check_publishable, which needs the body the entry will have).
    """
    if isinstance(body, str) and len(body) > BODY_MAX_LENGTH:
        raise BodyTooLarge()
    problems: dict[str, list[str]] = {}
    if title is not None:
        _check_text(problems, "title", title, max_length=ENTRY_TITLE_MAX_LENGTH, required=True)
    if body is not None:
        _check_text(
            problems, "body", body, max_length=BODY_MAX_LENGTH, required=False, multiline=True
        )
    if status is not None and status not in ENTRY_STATUSES:
        problems["status"] = [f"Use one of: {', '.join(ENTRY_STATUSES)}."]
    if problems:
        raise InvalidBlogInput(fields=problems)


def check_publishable(*, body: str) -> None:
    """Raise InvalidBlogInput on `body` when it is empty or only whitespace."""
    if not body.strip():
        raise InvalidBlogInput(
            fields={"body": ["An entry needs a body to be published; save it as a draft."]}
        )


# --- rendering fallback and idempotency ----------------------------------------------


def unrendered_html(body: str) -> str:
    """Return the safe stand-in for rendered HTML: the body escaped, as preformatted text."""
    return f'<pre class="entry-unrendered">{html.escape(body, quote=True)}</pre>'


def blog_url_path(path: str) -> str:
    """Return the path of a blog's public page, from the site's root."""
    return f"/blogs/{path}"


def entry_url_path(blog_path: str, entry_id: str) -> str:
    """Return the path of an entry's public page, from the site's root."""
    return f"/blogs/{blog_path}/entries/{entry_id}"


def author_url_path(name: str) -> str:
    """Return the path of an author's public page, from the site's root."""
    # Names are letters and digits, which quote() keeps: 2 us a link saved, twenty links
    # on the home page (issue 15). Anything else (an older name?) is quoted.
    if name.isascii() and name.isalnum():
        return f"/authors/{name}"
    return f"/authors/{quote(name)}"


class _Owner(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...


class PublishingBlog(Protocol):
    """What an entry's events tell of its blog (the blog model has it, read-only here)."""

    @property
    def pk(self) -> Any: ...
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def owner(self) -> _Owner: ...


def published_entry_fields(
    *,
    entry_id: object,
    revision: int,
    blog: PublishingBlog,
    title: str,
    text: str,
    published_at: datetime,
) -> dict[str, Any]:
    """Return the fields of EntryPublished, EntryChanged and PublishedEntry.

    `blog` is the entry's blog with its owner (pk, path, title, updated_at, owner.name,
    owner.account_id), as it was read in the transaction that changed the entry.
    """
    return {
        "entry_id": str(entry_id),
        "revision": revision,
        "blog_id": str(blog.pk),
        "blog_path": blog.path,
        "blog_title": blog.title,
        "blog_updated_at": blog.updated_at,
        "blog_url_path": blog_url_path(blog.path),
        "account_id": blog.owner.account_id,
        "author_name": blog.owner.name,
        "title": title,
        "text": text,
        "url_path": entry_url_path(blog.path, str(entry_id)),
        "published_at": published_at,
    }


def request_fingerprint(*, path: str, payload: object) -> str:
    """Return the sha256 of a request's path and canonical JSON body."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256()
    digest.update(path.encode("utf-8", "surrogatepass"))
    digest.update(b"\n")
    digest.update(canonical.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
