"""Pure rules of the blog context: field limits, validation, errors and DTOs (no Django)."""

import hashlib
import html
import json
import re
from dataclasses import dataclass

from contexts.kernel import errors
from contexts.kernel.events import Event
from contexts.kernel.text import text_problem

PATH_MIN_LENGTH = 3
PATH_MAX_LENGTH = 64
PATH_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{2,63}")
TITLE_MAX_LENGTH = 254
DESCRIPTION_MAX_LENGTH = 512
ENTRY_TITLE_MAX_LENGTH = 500
BODY_MAX_LENGTH = 100_000
AUTHOR_NAME_MAX_LENGTH = 16
ACCOUNT_ID_MAX_LENGTH = 64
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# Entry ids are BigAutoField primary keys; anything longer cannot be one.
ENTRY_ID_PATTERN = re.compile(r"[0-9]{1,18}")
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
# An entry is a draft (seen by its owner only) until it is published.
DRAFT = "draft"
PUBLISHED = "published"
ENTRY_STATUSES = (DRAFT, PUBLISHED)
# What an owner may ask a list of entries for (`?status=`).
ENTRY_LIST_STATUSES = (*ENTRY_STATUSES, "all")


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


InvalidInput = InvalidBlogInput


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


# --- DTOs published through api.py ---------------------------------------------------


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
    body: dict
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
    """Tell whether `key` is 1-255 printable ASCII characters."""
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
        problems["path"] = [
            f"Use {PATH_MIN_LENGTH}-{PATH_MAX_LENGTH} characters of a-z, 0-9 and '-', "
            "starting with a letter or digit."
        ]
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


def request_fingerprint(*, path: str, payload: object) -> str:
    """Return the sha256 of a request's path and canonical JSON body."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256()
    digest.update(path.encode("utf-8", "surrogatepass"))
    digest.update(b"\n")
    digest.update(canonical.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
