"""The published interface of the renderer context: the only module other contexts import."""

from collections.abc import Mapping

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
from contexts.renderer.services import document_render
from contexts.renderer.services.excerpt import excerpt_of, html_to_text

__all__ = [
    "EXCERPT_LENGTH",
    "MAX_SOURCE_LENGTH",
    "InvalidLinks",
    "InvalidSource",
    "LinkPreview",
    "PlainText",
    "Rendered",
    "RendererError",
    "SourceTooLarge",
    "plain_text",
    "render",
]


def render(src: str, *, links: Mapping[str, LinkPreview] | None = None) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input.

    `links` is what the caller knows of the pages that `[URL:title]` and `[URL:embed]`
    name, by URL (Rendered.link_urls lists those URLs); the renderer never fetches.
    """
    return document_render(src=src, links=links)


def plain_text(html: str, *, excerpt_length: int = EXCERPT_LENGTH) -> PlainText:
    """Return the text of rendered HTML on one line, and its excerpt cut at a word boundary.

    Both are plain text (escape them on output): an excerpt never holds half a tag.
    """
    text = html_to_text(html)
    return PlainText(text=text, excerpt=excerpt_of(text, limit=excerpt_length))
