"""The published interface of the renderer context: the only module other contexts import."""

from collections.abc import Mapping

from contexts.renderer.domain import (
    MAX_SOURCE_LENGTH,
    InvalidLinks,
    InvalidSource,
    LinkPreview,
    Rendered,
    RendererError,
    SourceTooLarge,
)
from contexts.renderer.services import document_render

__all__ = [
    "MAX_SOURCE_LENGTH",
    "InvalidLinks",
    "InvalidSource",
    "LinkPreview",
    "Rendered",
    "RendererError",
    "SourceTooLarge",
    "render",
]


def render(src: str, *, links: Mapping[str, LinkPreview] | None = None) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input.

    `links` is what the caller knows of the pages that `[URL:title]` and `[URL:embed]`
    name, by URL (Rendered.link_urls lists those URLs); the renderer never fetches.
    """
    return document_render(src=src, links=links)
