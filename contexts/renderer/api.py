"""The published interface of the renderer context: the only module other contexts import."""

from contexts.renderer.domain import (
    EXCERPT_LENGTH,
    MAX_SOURCE_LENGTH,
    InvalidSource,
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
    "InvalidSource",
    "PlainText",
    "Rendered",
    "RendererError",
    "SourceTooLarge",
    "plain_text",
    "render",
]


def render(src: str) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input."""
    return document_render(src=src)


def plain_text(html: str, *, excerpt_length: int = EXCERPT_LENGTH) -> PlainText:
    """Return the text of rendered HTML on one line, and its excerpt cut at a word boundary.

    Both are plain text (escape them on output): an excerpt never holds half a tag.
    """
    text = html_to_text(html)
    return PlainText(text=text, excerpt=excerpt_of(text, limit=excerpt_length))
