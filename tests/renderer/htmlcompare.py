"""HTML helpers for the renderer tests: parse what the renderer wrote, compare it loosely.

`elements` parses with the standard library's html.parser, so attribute checks look at
what a browser would see, not at substrings. `normalize` gives a canonical form (sorted
attributes, whitespace collapsed outside <pre>, none around block tags) so that two
serializations of the same document compare equal.
"""

import re
from html.parser import HTMLParser

_BLOCK_TAG_NAMES = (
    "address article aside blockquote body dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section table "
    "tbody td tfoot th thead tr ul"
)
BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
_SPACES = re.compile(r"\s+")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        self.tokens.append(("start", tag, tuple(sorted(values.items()))))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.tokens.append(("decl", decl))

    def handle_pi(self, data: str) -> None:
        self.tokens.append(("pi", data))


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Return every element of `html` as (tag, {attribute: value}), in document order."""
    return _collect(html).elements


def comments(html: str) -> list[str]:
    return _collect(html).comments


def text(html: str) -> str:
    """Return the text a reader sees (entities decoded, tags dropped)."""
    return "".join(token[1] for token in _collect(html).tokens if token[0] == "text")


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def is_https_or_relative(url: str) -> bool:
    """Tell whether a browser would load `url` over https or from this site."""
    # Browsers drop control characters and spaces around a URL, tabs and newlines inside
    # it, and read a backslash as a slash.
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33)))).replace("\\", "/")
    if not url or url.startswith("//"):
        return False
    scheme = _SCHEME.match(url)
    if scheme:
        return url.lower().startswith("https://")
    return ":" not in re.split(r"[/?#]", url, maxsplit=1)[0]


def renderer_policy(tag: str, attrs: tuple) -> tuple:
    """Apply, to another renderer's HTML, the differences our renderer makes on purpose.

    Links get a rel (dropped here, checked elsewhere); images only keep https or
    relative sources; links only keep http, https, mailto and relative targets.
    """
    kept = []
    for name, value in attrs:
        if name == "rel":
            continue
        if tag == "img" and name == "src" and not is_https_or_relative(value):
            continue
        if tag == "a" and name == "href":
            scheme = _SCHEME.match(value)
            if scheme and scheme[1].lower() not in ("http", "https", "mailto"):
                continue
        kept.append((name, value))
    return tuple(kept)


def normalize(html: str, policy=None) -> str:
    """Return a canonical form of `html` for comparing two renderings.

    `policy(tag, attrs) -> attrs` may rewrite each start tag's sorted attributes first.
    """
    merged: list[tuple] = []
    for token in _collect(html).tokens:
        if token[0] == "start" and policy is not None:
            token = ("start", token[1], policy(token[1], token[2]))
        if token[0] == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + token[1])
        else:
            merged.append(token)
    out: list[str] = []
    in_pre = 0
    for index, token in enumerate(merged):
        kind = token[0]
        if kind == "start":
            in_pre += token[1] == "pre"
            attrs = "".join(f' {name}="{value}"' for name, value in token[2])
            out.append(f"<{token[1]}{attrs}>")
        elif kind == "end":
            in_pre -= token[1] == "pre" and in_pre > 0
            out.append(f"</{token[1]}>")
        elif kind == "text":
            data = token[1]
            if not in_pre:
                data = _SPACES.sub(" ", data)
                before = merged[index - 1] if index else None
                after = merged[index + 1] if index + 1 < len(merged) else None
                if before is None or (before[0] in ("start", "end") and before[1] in BLOCK_TAGS):
                    data = data.lstrip()
                if after is None or (after[0] in ("start", "end") and after[1] in BLOCK_TAGS):
                    data = data.rstrip()
            if data:
                out.append(data.replace("&", "&amp;").replace("<", "&lt;"))
        else:
            out.append(f"<!{token[1]}>")
    return "".join(out)
