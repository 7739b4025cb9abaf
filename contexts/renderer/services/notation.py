"""Hatena-style notations, applied to the text of comrak's HTML outside code and links.

  [https://example.com/:title=Some text]  -> <a href="https://example.com/">Some text</a>
  [https://example.com/]                  -> <a href="https://example.com/">https://example.com/</a>
  [https://example.com/:title]            -> a link reading the page's title, or the URL
  [https://example.com/:embed]            -> a card: title, description, site, image
  id:name                                 -> <a href="/authors/name">id:name</a>

Titles and cards use the metadata the caller passes (LinkPreview by URL); the pass
reports which URLs would use some, and never fetches anything itself.

comrak's Python binding has no node API, so the notations are a pass over its HTML.
That HTML has a property the pass relies on: `<` and `>` appear only as tag delimiters
(comrak escapes them in text and in attribute values), so the next angle bracket after
a match tells text from the inside of a tag, and the next `<a`, `<code` or `<pre` tag
(opening or closing) tells whether the match sits inside a link or code, elements comrak
never nests. comrak's autolink extension does not fire inside `[...]`, so a notation
reaches the pass intact. Both look-ups are cached until the match passes the bracket or
tag they found, which keeps the pass linear in the size of the HTML.
"""

import html
import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from contexts.renderer.domain import AUTHOR_PATH_PREFIX, LinkPreview

# [URL], [URL:title], [URL:title=TEXT], [URL:embed]; TEXT may hold the emphasis comrak
# made of it.
_URL_NOTATION = re.compile(
    r"\[(https?://[^\s\[\]<>]+?)"
    r"(?::(title)(?:=((?:[^\[\]<>]|</?(?:em|strong|del)>)*))?|:(embed))?\]"
)
# id:name, not glued to a word before it (user_id:abc) nor cut from a longer name.
_MENTION = re.compile(r"id:(?<![0-9A-Za-z_]id:)([0-9A-Za-z]{3,16})(?![0-9A-Za-z])")
_ANGLE = re.compile(r"[<>]")
_PROTECTING_TAG = re.compile(r"<(/?)(?:a|code|pre)[\s>]")
_TITLE_TAG = re.compile(r"<(/?)(em|strong|del)>")
# Metadata comes from other people's pages: shown as one line of plain text.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

# A URL made only of these characters needs no decoding, encoding nor escaping.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9!#$%()*+,\-./:;=?@_~]*)?"
)
# What a URL keeps as it is; anything else (quotes, spaces, non-ASCII) is percent-encoded,
# as comrak does with link destinations.
_URL_SAFE = "!#$%&'()*+,-./:;=?@_~"


def _target(escaped_url: str) -> tuple[str, str] | None:
    """Return (URL, attribute-ready URL) for a notation's URL, or None when it is no URL.

    The URL is percent-encoded, as a browser requests it: the key of its metadata.
    """
    if _PLAIN_URL.fullmatch(escaped_url):
        return escaped_url, escaped_url
    url = html.unescape(escaped_url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    quoted = quote(url, safe=_URL_SAFE)
    return quoted, html.escape(quoted, quote=True)


def _https_image(url: str) -> str | None:
    """Return the attribute-ready form of an https image URL, or None for any other URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return None
    return html.escape(quote(url, safe=_URL_SAFE), quote=True)


def _balanced(title: str) -> bool:
    """Tell whether the emphasis tags in a title close in order inside it."""
    open_tags: list[str] = []
    for closing, name in _TITLE_TAG.findall(title):
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    return not open_tags


def _text(value: str) -> str:
    """Return metadata text as HTML text: one line, no control characters, escaped."""
    value = _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", value)).strip()
    return html.escape(value, quote=False)


def _card(href: str, url: str, escaped_url: str, preview: LinkPreview | None) -> str:
    """Return the embed card of a page: its image, title, description and site."""
    preview = preview or LinkPreview()
    parts = [f'<a href="{href}" class="embed-card">']
    image = _https_image(preview.image_url) if preview.image_url else None
    if image:
        parts.append(f'<img src="{image}" alt="" class="embed-card-image" />')
    parts.append(f'<span class="embed-card-title">{_text(preview.title) or escaped_url}</span>')
    description = _text(preview.description)
    if description:
        parts.append(f'<span class="embed-card-description">{description}</span>')
    site = _text(preview.site_name) or html.escape(urlsplit(url).hostname or "")
    parts.append(f'<span class="embed-card-site">{site}</span></a>')
    return "".join(parts)


def _link(match: re.Match, links: Mapping[str, LinkPreview]) -> tuple[str, str | None] | None:
    """Return the markup a notation stands for and the URL whose metadata it uses.

    None leaves the text alone.
    """
    if match.re is _MENTION:
        name = match.group(1)
        return f'<a href="{AUTHOR_PATH_PREFIX}{name}">id:{name}</a>', None
    escaped_url, title_kind, title, embed = match.groups()
    target = _target(escaped_url)
    if target is None:
        return None
    url, href = target
    if embed:
        return _card(href, url, escaped_url, links.get(url)), url
    text = title.strip() if title else ""
    if text:
        if "<" in text and not _balanced(text):
            return None
        return f'<a href="{href}">{text}</a>', None
    if not title_kind:
        return f'<a href="{href}">{escaped_url}</a>', None
    preview = links.get(url)
    title = _text(preview.title) if preview is not None else ""
    return f'<a href="{href}">{title or escaped_url}</a>', url


def apply_notations(
    comrak_html: str, links: Mapping[str, LinkPreview] | None = None
) -> tuple[str, tuple[str, ...]]:
    """Turn the notations in the text of `comrak_html` into links and cards.

    Returns the new HTML and the URLs whose metadata it used or would use, in order.
    """
    links = links or {}
    matches: list[re.Match] = []
    if "[http" in comrak_html:
        matches.extend(_URL_NOTATION.finditer(comrak_html))
    if "id:" in comrak_html:
        mentions = list(_MENTION.finditer(comrak_html))
        if mentions and matches:
            matches.extend(mentions)
            matches.sort(key=re.Match.start)
        elif mentions:
            matches = mentions
    if not matches:
        return comrak_html, ()

    size = len(comrak_html)
    pieces: list[str] = []
    wanted: dict[str, None] = {}
    done = 0
    angle_at = tag_at = -1
    in_tag = in_protected = False
    for match in matches:
        start, end = match.span()
        if start < done:  # an id: inside a notation already turned into a link
            continue
        if end > angle_at:
            found = _ANGLE.search(comrak_html, end)
            angle_at, in_tag = (found.start(), found.group() == ">") if found else (size, False)
        if in_tag:
            continue
        if end > tag_at:
            found = _PROTECTING_TAG.search(comrak_html, end)
            tag_at, in_protected = (found.start(), found[1] == "/") if found else (size, False)
        if in_protected:
            continue
        link = _link(match, links)
        if link is None:
            continue
        markup, url = link
        if url is not None:
            wanted[url] = None
        pieces.append(comrak_html[done:start])
        pieces.append(markup)
        done = end
    if not pieces:
        return comrak_html, ()
    pieces.append(comrak_html[done:])
    return "".join(pieces), tuple(wanted)
