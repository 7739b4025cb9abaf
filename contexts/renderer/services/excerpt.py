"""The plain text of rendered HTML, and a short excerpt of it cut at a word boundary."""

import re
from html.parser import HTMLParser

# Elements whose end (or start) separates words: "<p>a</p><p>b</p>" reads "a b".
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Footnote markers ("1", "↩") are links inside the page, noise in a text read on its own.
_SKIPPED_CLASSES = frozenset({"footnote-ref", "footnote-backref"})
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
# Control characters other than whitespace: nothing a reader sees, and XML 1.0 (feeds)
# cannot carry most of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
ELLIPSIS = "…"


class _TextCollector(HTMLParser):
    """Collect the text of HTML, with a space wherever a block starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in _BLOCKS:
                self.parts.append(" ")
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self._skipping or classes & _SKIPPED_CLASSES:
            self._skipping.append(tag)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if self._skipping[-1] == tag:
                self._skipping.pop()
            return
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the text a reader sees in `html`, on one line (whitespace runs become one space)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _SPACE.sub(" ", _CONTROL.sub("", "".join(collector.parts))).strip()


def excerpt_of(text: str, *, limit: int) -> str:
    """Return at most `limit` characters of `text`, cut at a word boundary, "…" if cut.

    A text without a space in reach (a long URL, Japanese prose) is cut where the limit
    falls.
    """
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS) + 1]
    boundary = head.rfind(" ")
    # Cut at the last space, unless that would keep less than half of what fits.
    head = head[:boundary] if boundary >= limit // 2 else head[: limit - len(ELLIPSIS)]
    return head.rstrip(" ,;:.-–—") + ELLIPSIS
