"""What "inert" means for rendered HTML, checked on the parsed document."""

import re

from tests.renderer.htmlcompare import elements, is_https_or_relative

# Independent of the sanitizer's own lists on purpose: this is what the tests allow.
_ALLOWED_TAG_NAMES = (
    "p br hr h1 h2 h3 h4 h5 h6 em strong del a img code pre blockquote ul ol li input "
    "table thead tbody tr th td sup section span"
)
ALLOWED_TAGS = frozenset(_ALLOWED_TAG_NAMES.split())
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Browsers ignore these inside a scheme ("java\tscript:"), so the check does too.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]+")
REL = {"nofollow", "noopener", "noreferrer"}


def problems(html: str) -> list[str]:
    """Return every way `html` could run code or restyle the page; empty when inert."""
    found = []
    if "<script" in html.lower():
        found.append("a <script substring")
    for tag, attrs in elements(html):
        if tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name} on <{tag}>")
            if name in ("style", "srcdoc", "formaction", "action", "background", "poster"):
                found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src", "xlink:href", "cite", "data"):
                url = _IGNORED_IN_URLS.sub("", value).lower()
                scheme = _SCHEME.match(url)
                if scheme and scheme[1] not in SAFE_SCHEMES:
                    found.append(f"{scheme[1]}: URL in {name} of <{tag}>")
                if tag == "img" and not is_https_or_relative(value):
                    found.append(f"image source {value!r} is neither https nor relative")
        if tag == "input" and (attrs.get("type") != "checkbox" or "disabled" not in attrs):
            found.append(f"usable input {attrs}")
        external = tag == "a" and re.match(r"(?i)\s*(https?:)?//", attrs.get("href", ""))
        if external and not set(attrs.get("rel", "").split()) >= REL:
            found.append(f"external link without rel: {attrs}")
    return found
