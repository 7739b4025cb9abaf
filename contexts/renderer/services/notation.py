"""Hatena-style notations, applied to the text of cmark's HTML outside code and links.

  [https://example.com/:title=Some text]  -> <a href="https://example.com/">Some text</a>
  [https://example.com/]                  -> <a href="https://example.com/">https://example.com/</a>
  [https://example.com/:title]            -> the same, until link titles are known
  id:name                                 -> <a href="/authors/name">id:name</a>

cmark-gfm has no node API in Python, so the notations are a pass over its HTML. That
HTML has a property the pass relies on: `<` and `>` appear only as tag delimiters
(cmark escapes them in text and in attribute values), so the next angle bracket after
a match tells text from the inside of a tag, and the next `<a`, `<code` or `<pre` tag
(opening or closing) tells whether the match sits inside a link or code, elements cmark
never nests. cmark's autolink extension does not fire inside `[...]`, so a notation
reaches the pass intact. Both look-ups are cached until the match passes the bracket or
tag they found, which keeps the pass linear in the size of the HTML.
"""

import html
import re
from urllib.parse import quote, urlsplit

from contexts.renderer.domain import AUTHOR_PATH_PREFIX

# [URL], [URL:title], [URL:title=TEXT]; TEXT may hold the emphasis cmark made of it.
_URL_NOTATION = re.compile(
    r"\[(https?://[^\s\[\]<>]+?)"
    r"(?::title(?:=((?:[^\[\]<>]|</?(?:em|strong|del)>)*))?)?\]"
)
# id:name, not glued to a word before it (user_id:abc) nor cut from a longer name.
_MENTION = re.compile(r"id:(?<![0-9A-Za-z_]id:)([0-9A-Za-z]{3,16})(?![0-9A-Za-z])")
_ANGLE = re.compile(r"[<>]")
_PROTECTING_TAG = re.compile(r"<(/?)(?:a|code|pre)[\s>]")
_TITLE_TAG = re.compile(r"<(/?)(em|strong|del)>")

# A URL made only of these characters needs no decoding, encoding nor escaping.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9!#$%()*+,\-./:;=?@_~]*)?"
)
# What a URL keeps as it is; anything else (quotes, spaces, non-ASCII) is percent-encoded,
# as cmark does with link destinations.
_URL_SAFE = "!#$%&'()*+,-./:;=?@_~"


def _href(escaped_url: str) -> str | None:
    """Return the attribute-ready form of a notation's URL, or None when it is no URL."""
    if _PLAIN_URL.fullmatch(escaped_url):
        return escaped_url
    url = html.unescape(escaped_url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
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


def _link(match: re.Match) -> str | None:
    """Return the link a notation stands for, or None to leave its text alone."""
    if match.re is _MENTION:
        name = match.group(1)
        return f'<a href="{AUTHOR_PATH_PREFIX}{name}">id:{name}</a>'
    escaped_url, title = match.groups()
    href = _href(escaped_url)
    if href is None:
        return None
    text = title.strip() if title else ""
    if "<" in text and not _balanced(text):
        return None
    return f'<a href="{href}">{text or escaped_url}</a>'


def apply_notations(cmark_html: str) -> str:
    """Turn the notations in the text of `cmark_html` into links."""
    matches: list[re.Match] = []
    if "[http" in cmark_html:
        matches.extend(_URL_NOTATION.finditer(cmark_html))
    if "id:" in cmark_html:
        mentions = list(_MENTION.finditer(cmark_html))
        if mentions and matches:
            matches.extend(mentions)
            matches.sort(key=re.Match.start)
        elif mentions:
            matches = mentions
    if not matches:
        return cmark_html

    size = len(cmark_html)
    pieces: list[str] = []
    done = 0
    angle_at = tag_at = -1
    in_tag = in_protected = False
    for match in matches:
        start, end = match.span()
        if start < done:  # an id: inside a notation already turned into a link
            continue
        if end > angle_at:
            found = _ANGLE.search(cmark_html, end)
            angle_at, in_tag = (found.start(), found.group() == ">") if found else (size, False)
        if in_tag:
            continue
        if end > tag_at:
            found = _PROTECTING_TAG.search(cmark_html, end)
            tag_at, in_protected = (found.start(), found[1] == "/") if found else (size, False)
        if in_protected:
            continue
        link = _link(match)
        if link is None:
            continue
        pieces.append(cmark_html[done:start])
        pieces.append(link)
        done = end
    if not pieces:
        return cmark_html
    pieces.append(cmark_html[done:])
    return "".join(pieces)
