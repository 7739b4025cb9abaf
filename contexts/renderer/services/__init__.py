"""The renderer's use case: a source in, sanitized HTML out."""

from contexts.renderer.domain import Rendered, check_source
from contexts.renderer.services.markdown import markdown_to_html
from contexts.renderer.services.notation import apply_notations
from contexts.renderer.services.sanitizer import sanitize


def document_render(*, src: str) -> Rendered:
    """Render `src` (CommonMark, GFM, footnotes, notations) to sanitized HTML.

    Pure: the same source always gives the same HTML. Raises InvalidSource for a
    non-string and SourceTooLarge above MAX_SOURCE_LENGTH characters.
    """
    check_source(src)
    return Rendered(html=sanitize(apply_notations(markdown_to_html(src))))
