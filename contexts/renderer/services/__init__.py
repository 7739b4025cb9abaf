"""The renderer's use case: a source (and what is known of its links) in, sanitized HTML out."""

from collections.abc import Mapping

from contexts.renderer.domain import (
    EXCERPT_LENGTH,
    LinkPreview,
    PlainText,
    Rendered,
    check_links,
    check_source,
)
from contexts.renderer.services.excerpt import excerpt_of, html_to_text
from contexts.renderer.services.markdown import markdown_to_html
from contexts.renderer.services.notation import apply_notations
from contexts.renderer.services.sanitizer import sanitize


def document_render(*, src: str, links: Mapping[str, LinkPreview] | None = None) -> Rendered:
    """Render `src` (CommonMark, GFM, footnotes, notations) to sanitized HTML.

    Pure: the same source and links always give the same HTML. Raises InvalidSource for
    a non-string, SourceTooLarge above MAX_SOURCE_LENGTH characters and InvalidLinks
    when `links` is not a mapping of URL to LinkPreview.
    """
    check_source(src)
    html, link_urls = apply_notations(markdown_to_html(src), check_links(links))
    return Rendered(html=sanitize(html), link_urls=link_urls)


def plain_text(*, html: str, excerpt_length: int = EXCERPT_LENGTH) -> PlainText:
    """Return the text of rendered HTML on one line, and its excerpt cut at a word boundary."""
    text = html_to_text(html)
    return PlainText(text=text, excerpt=excerpt_of(text, limit=excerpt_length))
