"""The published interface of the renderer context: the only module other contexts import.

`RendererApi` is the interface; the composition root binds `seam` to this context's own
code, or to its service over HTTP when RENDERER_URL is set.
"""

from typing import Protocol

from contexts.kernel.seams import Seam, idempotent
from contexts.renderer.domain import (
    MAX_SOURCE_LENGTH,
    InvalidSource,
    Rendered,
    RendererError,
    SourceTooLarge,
)

__all__ = [
    "MAX_SOURCE_LENGTH",
    "InvalidSource",
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
    def document_render(self, *, src: str) -> Rendered:
        """Render a source to sanitized HTML; raise InvalidSource or SourceTooLarge."""
        ...


seam: Seam[RendererApi] = Seam("renderer", RendererApi)


def render(src: str) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input."""
    return seam.api.document_render(src=src)
