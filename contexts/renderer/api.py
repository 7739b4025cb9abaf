"""The published interface of the renderer context: the only module other contexts import.

`RendererApi` is the interface; the composition root binds `seam` to this context's own
code, or to its service over HTTP when RENDERER_URL is set.
"""

from collections.abc import Mapping
from typing import Protocol

from contexts.kernel.seams import Seam, idempotent
from contexts.renderer.domain import (
    EXCERPT_LENGTH,
    MAX_SOURCE_LENGTH,
    InvalidLinks,
    InvalidSource,
    LinkPreview,
    PlainText,
    Rendered,
    RendererError,
    SourceTooLarge,
)

__all__ = [
    "EXCERPT_LENGTH",
    "MAX_SOURCE_LENGTH",
    "InvalidLinks",
    "InvalidSource",
    "LinkPreview",
    "PlainText",
    "Rendered",
    "RendererApi",
    "RendererError",
    "SourceTooLarge",
    "plain_text",
    "render",
    "seam",
]


class RendererApi(Protocol):
    """Notation to safe HTML: Markdown (CommonMark, GFM, footnotes) and Hatena notations."""

    @idempotent
    def document_render(self, *, src: str, links: dict[str, LinkPreview] | None = None) -> Rendered:
        """Render a source to sanitized HTML with what is known of the pages it links to;
        raise InvalidSource, InvalidLinks or SourceTooLarge."""
        ...

    @idempotent
    def plain_text(self, *, html: str, excerpt_length: int = EXCERPT_LENGTH) -> PlainText:
        """Return the text of rendered HTML on one line, and its excerpt."""
        ...


seam: Seam[RendererApi] = Seam("renderer", RendererApi)


def render(src: str, *, links: Mapping[str, LinkPreview] | None = None) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input.

    `links` is what the caller knows of the pages that `[URL:title]` and `[URL:embed]`
    name, by URL (Rendered.link_urls lists those URLs); the renderer never fetches.
    """
    if isinstance(links, Mapping):
        links = dict(links)
    return seam.api.document_render(src=src, links=links)


def plain_text(html: str, *, excerpt_length: int = EXCERPT_LENGTH) -> PlainText:
    """Return the text of rendered HTML on one line, and its excerpt cut at a word boundary.

    Both are plain text (escape them on output): an excerpt never holds half a tag.
    """
    return seam.api.plain_text(html=html, excerpt_length=excerpt_length)
