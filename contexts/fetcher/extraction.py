"""Read a fetched page: find its character encoding, then its title, description, site and image.

The encoding is found as browsers find it: a byte order mark, then the Content-Type
header's charset, then a <meta> charset in the first 1024 bytes, then a guess from the
bytes themselves (charset-normalizer), then UTF-8. The page is parsed with lexbor (an
HTML5 parser, through selectolax), as a browser would parse it.
"""

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import charset_normalizer
from selectolax.lexbor import LexborHTMLParser

from contexts.fetcher.domain import (
    DESCRIPTION_MAX_LENGTH,
    MAX_URL_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    clean_text,
)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Labels that the HTML standard reads as another encoding than Python's codec of that name.
_WHATWG_LABELS = {
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "utf-16": "utf-8",  # a <meta> or header cannot truly say UTF-16: the bytes are ASCII
}
_GUESS_BYTES = 64 * 1024


@dataclass(frozen=True)
class Metadata:
    """What a page says about itself: plain text, and an https image URL or ""."""

    title: str
    description: str
    site_name: str
    image_url: str


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_LABELS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def detect_encoding(body: bytes, header_charset: str | None) -> str:
    """Return the codec name to decode `body` with."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = _codec(header_charset)
    if declared:
        return declared
    meta = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    declared = _codec(meta.group(1).decode("ascii")) if meta else None
    if declared:
        return declared
    guess = charset_normalizer.from_bytes(body[:_GUESS_BYTES]).best()
    return _codec(guess.encoding if guess else None) or "utf-8"


def decode(body: bytes, header_charset: str | None) -> str:
    """Return the text of an HTML page, undecodable bytes replaced."""
    encoding = detect_encoding(body, header_charset)
    for bom, name in _BOMS:
        if name == encoding and body.startswith(bom):
            body = body[len(bom) :]
    return body.decode(encoding, errors="replace")


def _https_url(value: str, base: str) -> str:
    url = urljoin(base, value.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme != "https" or not parts.hostname or len(url) > MAX_URL_LENGTH:
        return ""
    if not url.isascii() or any(char.isspace() for char in url):
        return ""
    return url


def extract_metadata(html: str, *, page_url: str) -> Metadata:
    """Return the title, description, site name and https image of an HTML page.

    The title is the document's <title> (Open Graph's og:title when it has none); the
    description og:description or <meta name="description">; the site og:site_name;
    the image og:image (twitter:image as a fallback), resolved against the page's URL
    and kept only when it is https.
    """
    tree = LexborHTMLParser(html)
    properties: dict[str, str] = {}
    for meta in tree.css("meta"):
        attributes = meta.attributes
        key = (attributes.get("property") or attributes.get("name") or "").strip().lower()
        content = attributes.get("content")
        if key and content and key not in properties:
            properties[key] = content
    head_title = tree.head.css_first("title") if tree.head is not None else None
    title = head_title.text() if head_title is not None else ""
    title = clean_text(title, TITLE_MAX_LENGTH) or clean_text(
        properties.get("og:title") or properties.get("twitter:title") or "", TITLE_MAX_LENGTH
    )
    description = (
        properties.get("og:description")
        or properties.get("description")
        or properties.get("twitter:description")
        or ""
    )
    image = properties.get("og:image") or properties.get("twitter:image") or ""
    return Metadata(
        title=title,
        description=clean_text(description, DESCRIPTION_MAX_LENGTH),
        site_name=clean_text(properties.get("og:site_name") or "", SITE_NAME_MAX_LENGTH),
        image_url=_https_url(image, page_url) if image else "",
    )
