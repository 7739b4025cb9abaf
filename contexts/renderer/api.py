"""The published interface of the renderer context: the only module other contexts import.

`RendererApi` is the interface; the composition root binds `seam` to this context's own
code, or to its service over HTTP when RENDERER_URL is set.
"""

from collections.abc import Mapping
from typing import Protocol

from contexts.kernel.seams import Seam, idempotent
from contexts.renderer.domain import (
    MAX_SOURCE_LENGTH,
    InvalidLinks,
    InvalidSource,
    LinkPreview,
    Rendered,
    RendererError,
    SourceTooLarge,
)

__all__ = [
    "MAX_SOURCE_LENGTH",
    "InvalidLinks",
    "InvalidSource",
    "LinkPreview",
    "Rendered",
    "RendererApi",
    "RendererError",
    "SourceTooLarge",
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


seam: Seam[RendererApi] = Seam("renderer", RendererApi)


def render(src: str, *, links: Mapping[str, LinkPreview] | None = None) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input.

    `links` is what the caller knows of the pages that `[URL:title]` and `[URL:embed]`
    name, by URL (Rendered.link_urls lists those URLs); the renderer never fetches.
    """
    if isinstance(links, Mapping):
        links = dict(links)
    return seam.api.document_render(src=src, links=links)  # type: ignore[arg-type]
