"""The allow-list HTML sanitizer every rendered document goes through last.

Two allow-lists say the same thing. The first is a grammar of exactly the markup that
comrak and the notation pass write (every tag, every attribute, the shape of every URL):
a document made only of those tokens is already clean and is kept as it is. Anything
else, down to one unexpected attribute, goes through nh3 (the Rust crate ammonia), which
parses it as a browser would and drops what its allow-list does not name. The grammar
costs a fifth of what nh3 does on the same document, and nh3 remains the defence for
every document the grammar does not vouch for; tests check that the two agree.
"""

import re

import nh3

from contexts.renderer.domain import LINK_REL

# What comrak produces for CommonMark, the GFM extensions and footnotes, plus the
# notation pass's embed cards (span); nothing else.
TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "em", "strong", "del", "a", "img", "code", "pre", "blockquote",
        "ul", "ol", "li", "input",
        "table", "thead", "tbody", "tr", "th", "td",
        "sup", "section", "span",
    }
)  # fmt: skip

ATTRIBUTES = {
    "a": {
        "href", "title", "id", "class", "aria-label",
        "data-footnote-ref", "data-footnote-backref", "data-footnote-backref-idx",
    },
    "img": {"src", "alt", "title", "class"},
    "code": {"class"},
    "sup": {"class"},
    "span": {"class"},
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

# Dropped with their content if they ever appear (comrak omits raw HTML, so this is a
# second line of defence).
CONTENT_TAGS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed",
     "svg", "math", "textarea", "title", "xmp", "noembed", "noframes"}
)  # fmt: skip

# The only classes written besides a code block's "language-" + its info word: footnotes
# (comrak) and embed cards (the notation pass).
CARD_CLASSES = {
    "a": "embed-card",
    "img": "embed-card-image",
    "span": "embed-card-title embed-card-description embed-card-site",
}
_CLASSES = {
    "sup": {"footnote-ref"},
    "a": {"footnote-backref", CARD_CLASSES["a"]},
    "section": {"footnotes"},
    "img": {CARD_CLASSES["img"]},
    "span": set(CARD_CLASSES["span"].split()),
}

# A scheme is letters, digits, "+", "-" and "." before the first ":". Browsers strip
# control characters and spaces around a URL, ignore tabs and newlines anywhere in it,
# and read "\" as "/" in http(s) URLs.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")
_STRIPPED_AROUND_URLS = "".join(chr(code) for code in range(0x21))
_FIRST_SEGMENT_END = re.compile(r"[/?#]")


def is_allowed_image_source(value: str) -> bool:
    """Tell whether an image may load from `value`: https, or relative to this site.

    A protocol-relative `//host/x.png` is another site, over whatever scheme the page
    uses: not relative.
    """
    url = _IGNORED_IN_URLS.sub("", value).strip(_STRIPPED_AROUND_URLS).replace("\\", "/")
    if not url:
        return False
    if url.startswith("//"):
        return False
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group().lower() == "https:" and url[6:8] == "//"
    # ":" before any "/", "?" or "#" would make the browser read a scheme after all.
    return ":" not in _FIRST_SEGMENT_END.split(url, maxsplit=1)[0]


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "src":
        return value if is_allowed_image_source(value) else None
    if attribute == "class":
        if tag == "code":
            return value if value.startswith("language-") and " " not in value else None
        return value if value in _CLASSES.get(tag, ()) else None
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

# --- the grammar of markup known to be clean ------------------------------------------
# Attribute values hold no quote, angle bracket, control character or space, and no
# character reference but &amp; and &#x27; (comrak's and html.escape's), so that what
# the browser decodes is what the pattern saw. A URL starts with an allowed scheme or
# is relative with no ":" before its first "/", "?" or "#" (a scheme would hide there).
_URL_TAIL = r"(?:[!#$%'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]|&amp;|&#x27;)*"
_RELATIVE = r"(?:[#?]|/(?![/\\])|(?:[!$%'()*+,\-.0-9;=@A-Z\[\]_a-z~]|&amp;|&#x27;)+(?=[/?#\"]))"
# A host as URL parsers accept it (a percent sign or a user name sends the URL to nh3).
_HOST = r"(?:[A-Za-z0-9\-._~]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?(?=[/?#\"])"
_HREF = rf'"(?:(?:(?:https?:)?//{_HOST}|mailto:|{_RELATIVE}){_URL_TAIL})?"'
_SRC = rf'"(?:https://{_HOST}|{_RELATIVE}){_URL_TAIL}"'
_TEXT = r'"[^"<>]*"'
_ID = r'"[^"<>&\s]*"'
_FRAGMENT = r'"#[^"<>&\s]*"'
_NUMBER = "[0-9]{1,9}"
_CLEAN_TOKENS = (
    r"[^<\x00]++",
    r"</?(?:p|em|strong|del|code|pre|blockquote|ul|ol|li|table|thead|tbody|tr|th|td"
    r"|h[1-6]|section|sup|span|a)>",
    r"<br />|<hr />",
    rf'<ol start="{_NUMBER}">',
    r'<t[hd] align="(?:left|center|right)">',
    r'<code class="language-[^"<>&\s]*">',
    r'<sup class="footnote-ref">',
    r'<section class="footnotes" data-footnotes>',
    rf"<li id={_ID}>",
    r'<input type="checkbox"(?: checked="")? disabled="" />',
    rf"<a href={_HREF}(?: title={_TEXT})?>",
    rf"<a href={_FRAGMENT} id={_ID} data-footnote-ref>",
    rf'<a href={_FRAGMENT} class="footnote-backref" data-footnote-backref '
    rf'data-footnote-backref-idx="{_NUMBER}(?:-{_NUMBER})?" '
    rf'aria-label="Back to reference {_NUMBER}(?:-{_NUMBER})?">',
    rf"<img src={_SRC} alt={_TEXT}(?: title={_TEXT})? />",
    rf'<a href={_HREF} class="embed-card">',
    rf'<img src="https://{_HOST}{_URL_TAIL}" alt="" class="embed-card-image" />',
    r'<span class="embed-card-(?:title|description|site)">',
)
# Possessive: no token can start where another ends, and backtracking into a long run
# of text would take exponential time on a document that does not match.
_CLEAN_DOCUMENT = re.compile("(?:" + "|".join(_CLEAN_TOKENS) + ")*+")
# comrak's stand-in for raw HTML, which the sanitizer would drop anyway.
_RAW_HTML_OMITTED = "<!-- raw HTML omitted -->"

# External links: absolute http(s) or protocol-relative. Both paths write every anchor
# with href first and escape quotes inside values, so a link is found by its prefix.
# Links inside this site (/authors/name, #fn-1) keep their rank and referrer.
_EXTERNAL_HREF = re.compile(r'(<a href="(?:https?:)?//[^"]*")', re.IGNORECASE)
_WITH_REL = rf'\1 rel="{LINK_REL}"'


# Every tag, to check how the known tokens nest: the grammar sees tokens, not trees.
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)[^>]*>")
_VOID = frozenset({"br", "hr", "img", "input"})
# Where a browser (and nh3, which parses like one) would move an element elsewhere.
_PARENTS = {"li": ("ol", "ul")}


def _well_nested(fragment: str) -> bool:
    """Tell whether every element closes in order, inside a parent a browser keeps it in.

    comrak can write markup that is balanced but not well nested (a footnote defined
    inside another gives `<li>` inside `<li>`): a browser, and nh3, would restructure it.
    """
    open_elements: list[str] = []
    for closing, name in _TAG.findall(fragment):
        if name in _VOID:
            continue
        if closing:
            if not open_elements or open_elements.pop() != name:
                return False
            continue
        parents = _PARENTS.get(name)
        if parents is not None and (not open_elements or open_elements[-1] not in parents):
            return False
        open_elements.append(name)
    return not open_elements


def is_known_clean(fragment: str) -> bool:
    """Tell whether `fragment` is made only of markup the renderer itself writes, safely,
    and nested as a browser would keep it."""
    return _CLEAN_DOCUMENT.fullmatch(fragment) is not None and _well_nested(fragment)


def sanitize(fragment: str) -> str:
    """Return `fragment` with everything outside the allow-list removed.

    External links get `rel="nofollow noopener noreferrer"`.
    """
    if _RAW_HTML_OMITTED in fragment:
        fragment = fragment.replace(_RAW_HTML_OMITTED, "")
    if not is_known_clean(fragment):
        fragment = _CLEANER.clean(fragment)
    return _EXTERNAL_HREF.sub(_WITH_REL, fragment)
