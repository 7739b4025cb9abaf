"""The allow-list HTML sanitizer every rendered document goes through last."""

import re

import nh3

from contexts.renderer.domain import LINK_REL

# What cmark-gfm produces for CommonMark, the GFM extensions and footnotes; nothing else.
TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "em", "strong", "del", "a", "img", "code", "pre", "blockquote",
        "ul", "ol", "li", "input",
        "table", "thead", "tbody", "tr", "th", "td",
        "sup", "section",
    }
)  # fmt: skip

ATTRIBUTES = {
    "a": {
        "href", "title", "id", "class", "aria-label",
        "data-footnote-ref", "data-footnote-backref", "data-footnote-backref-idx",
    },
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "sup": {"class"},
    "section": {"class", "data-footnotes"},
    "ol": {"start"},
    "li": {"id"},
    "th": {"align"},
    "td": {"align"},
    "input": {"checked"},
}  # fmt: skip

# Task-list boxes are shown, never used: every input is a disabled checkbox, whatever
# the markup said (an input without a type would be a text field).
FORCED_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": ""}}

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Dropped with their content if they ever appear (cmark omits raw HTML, so this is a
# second line of defence).
CONTENT_TAGS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed",
     "svg", "math", "textarea", "title", "xmp", "noembed", "noframes"}
)  # fmt: skip

# The only classes cmark writes; a code block's class is "language-" + its info word.
_CLASSES = {"sup": "footnote-ref", "a": "footnote-backref", "section": "footnotes"}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src":
        # Images only from absolute http(s) URLs: a relative one would make the reader's
        # browser send a request, with cookies, to this site.
        return value if value[:8].lower().startswith(("http://", "https://")) else None
    if attribute == "class":
        if tag == "code":
            return value if value.startswith("language-") and " " not in value else None
        return value if _CLASSES.get(tag) == value else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    set_tag_attribute_values=FORCED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    clean_content_tags=set(CONTENT_TAGS),
    link_rel=None,
    strip_comments=True,
)

# External links: absolute http(s) or protocol-relative. The sanitizer writes every
# anchor of ours with href first (cmark and the notation pass do, and raw HTML never
# gets this far) and escapes quotes inside values, so a link is found by its prefix.
# Links inside this site (/authors/name, #fn-1) keep their rank and referrer.
_EXTERNAL_HREF = re.compile(r'(<a href="(?:https?:)?//[^"]*")', re.IGNORECASE)
_WITH_REL = rf'\1 rel="{LINK_REL}"'


def sanitize(fragment: str) -> str:
    """Return `fragment` with everything outside the allow-list removed.

    External links get `rel="nofollow noopener noreferrer"`.
    """
    return _EXTERNAL_HREF.sub(_WITH_REL, _CLEANER.clean(fragment))
