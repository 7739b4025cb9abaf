"""The published interface of the renderer context: the only module other contexts import."""

from contexts.renderer.domain import (
    MAX_SOURCE_LENGTH,
    InvalidSource,
    Rendered,
    RendererError,
    SourceTooLarge,
)
from contexts.renderer.services import document_render

__all__ = [
    "MAX_SOURCE_LENGTH",
    "InvalidSource",
    "Rendered",
    "RendererError",
    "SourceTooLarge",
    "render",
]


def render(src: str) -> Rendered:
    """Render Markdown with notations to sanitized HTML; pure, and refuses oversized input."""
    return document_render(src=src)
