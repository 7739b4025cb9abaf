"""The renderer's pure rules: its limits, its input and result types, and its errors."""

from collections.abc import Mapping
from dataclasses import dataclass

from contexts.kernel.errors import ContextError, InvalidInput, TooLarge

# The largest source the renderer accepts, in characters (code points), as api-v1 says.
MAX_SOURCE_LENGTH = 100_000

# Where an author's public page lives; `id:name` links there.
AUTHOR_PATH_PREFIX = "/authors/"

# The rel every sanitized link carries, so that a hostile page cannot reach back into
# ours (noopener), learn where the reader came from (noreferrer) or farm rank (nofollow).
LINK_REL = "nofollow noopener noreferrer"


@dataclass(frozen=True)
class LinkPreview:
    """What is known of a linked page, for `[URL:title]` and `[URL:embed]` (text, unescaped).

    The renderer never fetches: its caller passes what it knows, by URL. `image_url`
    is shown only when it is an https URL.
    """

    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class Rendered:
    """The sanitized HTML of one source: safe to insert into a page as it is.

    `link_urls` lists, once each and in order, the URLs of the `[URL:title]` and
    `[URL:embed]` notations, whose pages' metadata would change the HTML: the keys of
    the `links` that render() takes.
    """

    html: str
    link_urls: tuple[str, ...] = ()


class RendererError(ContextError):
    """Base of the errors the renderer reports."""

    code = "renderer_error"
    status = 400
    default_detail = "The source could not be rendered."


class SourceTooLarge(RendererError, TooLarge):
    """The source is longer than MAX_SOURCE_LENGTH characters."""

    code = "too_large"
    status = 413
    default_detail = f"The source is longer than {MAX_SOURCE_LENGTH} characters."


class InvalidSource(RendererError, InvalidInput):
    """The source is not text at all (a caller bug, reported as a field error)."""

    code = "invalid_source"
    status = 400
    default_detail = "The source must be a string."

    def __init__(self, detail: str | None = None) -> None:
        detail = detail or self.default_detail
        super().__init__(detail, fields={"src": [detail]})


class InvalidLinks(RendererError, InvalidInput):
    """The link metadata is not a mapping of URL to LinkPreview (a caller bug)."""

    code = "invalid_links"
    status = 400
    default_detail = "links must map URLs to LinkPreview values."

    def __init__(self, detail: str | None = None) -> None:
        detail = detail or self.default_detail
        super().__init__(detail, fields={"links": [detail]})


def check_links(links: object) -> Mapping[str, LinkPreview]:
    """Return `links` (None as empty) when it maps strings to LinkPreview; raise InvalidLinks."""
    if links is None:
        return {}
    if not isinstance(links, Mapping) or not all(
        isinstance(url, str) and isinstance(preview, LinkPreview) for url, preview in links.items()
    ):
        raise InvalidLinks()
    return links


def check_source(src: object) -> str:
    """Return `src` when the renderer accepts it; raise InvalidSource or SourceTooLarge."""
    if not isinstance(src, str):
        raise InvalidSource()
    if len(src) > MAX_SOURCE_LENGTH:
        raise SourceTooLarge(
            f"The source has {len(src)} characters; at most {MAX_SOURCE_LENGTH} are allowed."
        )
    return src


# How long an excerpt may be, in characters, "…" included.
EXCERPT_LENGTH = 280


@dataclass(frozen=True)
class PlainText:
    """What a reader sees of rendered HTML, as text: all of it, and the excerpt of it."""

    text: str
    excerpt: str
